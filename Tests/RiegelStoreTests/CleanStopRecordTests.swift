import Foundation
@testable import RiegelStore
import XCTest

/// The clean-stop record: which start may leave the integrity check until after `READY=1`.
final class CleanStopRecordTests: XCTestCase {
    var temp: TemporaryDirectory!

    override func setUpWithError() throws { temp = try TemporaryDirectory() }
    override func tearDown() { temp.remove() }

    private var databasePath: String { temp.path + "/riegel.sqlite" }

    private func openAndClose(recordingCleanStop: Bool) throws -> RiegelDatabase {
        let db = try RiegelDatabase.open(in: try StateDirectory.prepare(at: temp.path))
        try db.write { try $0.execute(sql: "INSERT OR REPLACE INTO meta (name, value) VALUES ('t', x'00')") }
        try db.close(recordingCleanStop: recordingCleanStop)
        return db
    }

    func testACleanStopLetsTheNextOpenDeferTheCheckOnceAndOnlyOnce() throws {
        let first = try openAndClose(recordingCleanStop: true)
        XCTAssertNil(first.deferredCheck, "a new file is checked at open")
        XCTAssertTrue(FileManager.default.fileExists(atPath: CleanStopRecord.path(for: databasePath)))

        let second = try RiegelDatabase.open(in: try StateDirectory.prepare(at: temp.path))
        XCTAssertEqual(second.deferredCheck, .quick)
        XCTAssertFalse(FileManager.default.fileExists(atPath: CleanStopRecord.path(for: databasePath)),
                       "taken at open: a record is never trusted twice")
        // Stopped before its deferred check ran: it must not vouch for the file.
        try second.close(recordingCleanStop: true)
        XCTAssertFalse(FileManager.default.fileExists(atPath: CleanStopRecord.path(for: databasePath)))

        let third = try RiegelDatabase.open(in: try StateDirectory.prepare(at: temp.path))
        XCTAssertNil(third.deferredCheck)
        try third.close()
    }

    func testTheDeferredCheckThatPassedLetsTheStopVouchAgain() async throws {
        _ = try openAndClose(recordingCleanStop: true)
        let db = try RiegelDatabase.open(in: try StateDirectory.prepare(at: temp.path))
        try await db.runDeferredCheck()
        try db.close(recordingCleanStop: true)
        let line = try String(contentsOfFile: CleanStopRecord.path(for: databasePath), encoding: .utf8)
        XCTAssertEqual(CleanStopRecord(line: line), CleanStopRecord.current(databasePath: databasePath))
        XCTAssertTrue(CleanStopRecord.take(databasePath: databasePath))
    }

    /// A row that breaks a CHECK constraint fails the check beside requests as
    /// it fails the one before `READY=1`: the deferred check does not run on a
    /// read-only connection, whose schema SQLite loads without CHECKs.
    func testTheDeferredCheckVerifiesCheckConstraintsAsTheCheckAtOpenDoes() async throws {
        let first = try RiegelDatabase.open(in: try StateDirectory.prepare(at: temp.path))
        try first.write { db in
            try db.execute(sql: "CREATE TABLE checked (x INTEGER NOT NULL CHECK (x > 0))")
            try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
            try db.execute(sql: "INSERT INTO checked (x) VALUES (-1)")
        }
        try first.close(recordingCleanStop: true)  // this run's check (at open, before the row) passed

        let deferred = try RiegelDatabase.open(in: try StateDirectory.prepare(at: temp.path))
        XCTAssertEqual(deferred.deferredCheck, .quick)
        do {
            try await deferred.runDeferredCheck()
            XCTFail("the deferred check passed a row that breaks a CHECK constraint")
        } catch RiegelDatabaseError.integrityCheckFailed(_, let problems) {
            XCTAssertEqual(problems, ["CHECK constraint failed in checked"])
        }
        try deferred.close(recordingCleanStop: true)
        XCTAssertFalse(FileManager.default.fileExists(atPath: CleanStopRecord.path(for: databasePath)),
                       "a failed check vouches for nothing")

        XCTAssertThrowsError(try RiegelDatabase.open(in: try StateDirectory.prepare(at: temp.path))) { error in
            guard case RiegelDatabaseError.integrityCheckFailed(_, let problems) = error else {
                return XCTFail("expected integrityCheckFailed at open, got \(error)")
            }
            XCTAssertEqual(problems, ["CHECK constraint failed in checked"])
        }
    }

    func testAStopWithoutTheFlagOrAChangedFileGivesNoMatch() throws {
        _ = try openAndClose(recordingCleanStop: false)
        XCTAssertFalse(CleanStopRecord.take(databasePath: databasePath))

        _ = try openAndClose(recordingCleanStop: true)
        // Same bytes, new times: a copy over the file, a restore, a touch.
        let handle = try XCTUnwrap(FileHandle(forUpdatingAtPath: databasePath))
        let first = try handle.read(upToCount: 1) ?? Data()
        try handle.seek(toOffset: 0)
        try handle.write(contentsOf: first)
        try handle.close()
        XCTAssertFalse(CleanStopRecord.take(databasePath: databasePath))
    }

    func testAWriteAheadLogWithContentGivesNoMatch() throws {
        _ = try openAndClose(recordingCleanStop: true)
        FileManager.default.createFile(atPath: databasePath + "-wal", contents: Data([1, 2, 3]))
        XCTAssertFalse(CleanStopRecord.take(databasePath: databasePath))
    }

    func testTheLineRoundTripsAndAnythingElseIsRefused() throws {
        _ = try openAndClose(recordingCleanStop: true)
        let line = try String(contentsOfFile: CleanStopRecord.path(for: databasePath), encoding: .utf8)
        let record = try XCTUnwrap(CleanStopRecord(line: line))
        XCTAssertEqual(record.line, line)
        XCTAssertEqual(CleanStopRecord.current(databasePath: databasePath), record)
        for bad in ["", "riegel-clean-stop 2" + line.dropFirst("riegel-clean-stop 1".count),
                    String(line.dropLast()), line.replacingOccurrences(of: "size=", with: "sise="),
                    line.replacingOccurrences(of: "ino=", with: "ino=x"),
                    line.replacingOccurrences(of: " ctime=", with: " ctime=1 ")] {
            XCTAssertNil(CleanStopRecord(line: bad), bad)
        }
    }
}
