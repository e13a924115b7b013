import Foundation
import GRDB
import RiegelCore
@testable import RiegelStore
import RiegelTesting
import XCTest

final class SQLiteAuditLogTests: XCTestCase {
    private var temps: [TemporaryDirectory] = []

    override func tearDown() {
        temps.forEach { $0.remove() }
        temps = []
        super.tearDown()
    }

    /// A log on a fresh database file, with raw access to that file.
    private func makeSubject(_ parts: AuditLogConformance.Parts) throws -> AuditLogConformance.Subject {
        let temp = try TemporaryDirectory()
        temps.append(temp)
        let database = try RiegelDatabase.open(in: try StateDirectory.prepare(at: temp.path))
        let log = SQLiteAuditLog(database: database, clock: parts.clock, hasher: parts.hasher,
                                 sealer: parts.sealer, checkpointInterval: parts.checkpointInterval)
        return AuditLogConformance.Subject(log: log, tampering: SQLiteAuditTampering(path: database.path!))
    }

    private func openLog(_ temp: TemporaryDirectory, clock: ManualClock, sealer: FakeCheckpointSealer,
                         interval: Int = 100) throws -> (RiegelDatabase, SQLiteAuditLog) {
        let database = try RiegelDatabase.open(in: try StateDirectory.prepare(at: temp.path))
        return (database, SQLiteAuditLog(database: database, clock: clock, hasher: SoftwareSHA256(),
                                         sealer: sealer, checkpointInterval: interval))
    }

    private static func event(_ type: String, user: String = "u_1") -> AuditEvent {
        AuditEvent(type: type, outcome: .success, userID: UserID(rawValue: user), username: "name-\(user)")
    }

    func testSQLiteAuditLogPassesTheConformanceSuite() throws {
        try AuditLogConformance.run(makeSubject)
    }

    func testInMemoryAuditLogPassesTheConformanceSuite() throws {
        try AuditLogConformance.run { parts in
            let log = InMemoryAuditLog(clock: parts.clock, sealer: parts.sealer, hasher: parts.hasher,
                                       checkpointInterval: parts.checkpointInterval)
            return AuditLogConformance.Subject(log: log, tampering: log)
        }
    }

    // The tamper rules again, one test each, against the real file.

    func testEditedEntryIsDetectedAtItsSeq() throws {
        try AuditLogConformance.editedEntryIsDetectedAtItsSeq(makeSubject)
    }

    func testDeletedEntryIsDetectedAtItsSeq() throws {
        try AuditLogConformance.deletedEntryIsDetectedAtItsSeq(makeSubject)
    }

    func testSwappedEntriesAreDetectedAtTheFirstOfThem() throws {
        try AuditLogConformance.swappedEntriesAreDetectedAtTheFirstOfThem(makeSubject)
    }

    func testTruncatedTailAfterACheckpointIsDetected() throws {
        try AuditLogConformance.truncatedTailAfterACheckpointIsDetected(makeSubject)
    }

    func testForgedCheckpointIsDetected() throws {
        try AuditLogConformance.forgedCheckpointIsDetected(makeSubject)
    }

    func testRewrittenAndRehashedChainIsCaughtByTheNextCheckpoint() throws {
        try AuditLogConformance.rewrittenAndRehashedChainIsCaughtByTheNextCheckpoint(makeSubject)
    }

    func testDeletedCheckpointsAndARehashedChainAreDetectedAtTheFirstMissingCheckpoint() throws {
        try AuditLogConformance.deletedCheckpointsAndARehashedChainAreDetectedAtTheFirstMissingCheckpoint(makeSubject)
    }

    func testUnsealedTailIsReportedAndASealClearsIt() throws {
        try AuditLogConformance.unsealedTailIsReportedAndASealClearsIt(makeSubject)
    }

    func testDeletingAnAccountBlanksTheUsernameAndKeepsTheChainValid() throws {
        try AuditLogConformance.forgettingAUsernameKeepsTheChainValidAndTheUserFindableByID(makeSubject)
    }

    func testUpdateAndDeleteAreRefusedByTheDatabase() throws {
        let temp = try TemporaryDirectory()
        temps.append(temp)
        let (database, log) = try openLog(temp, clock: ManualClock(), sealer: FakeCheckpointSealer(), interval: 2)
        try log.append(Self.event("login.failed"))
        try log.append(Self.event("login.succeeded"))
        let refused = [
            "UPDATE audit_event SET type = 'login.succeeded' WHERE seq = 1",
            "UPDATE audit_event SET user_id = 'u_2' WHERE seq = 1",
            "UPDATE audit_event SET username = 'someone-else' WHERE seq = 1",
            "UPDATE audit_event SET seq = 7 WHERE seq = 2",
            "UPDATE audit_event SET hash = zeroblob(32) WHERE seq = 2",
            "DELETE FROM audit_event WHERE seq = 2",
            "DELETE FROM audit_event",
            "UPDATE audit_checkpoint SET seal = x'00' WHERE seq = 2",
            "UPDATE audit_checkpoint SET hash = zeroblob(32), key_id = key_id + 100 WHERE seq = 2",
            "UPDATE audit_checkpoint SET seq = 9, key_id = key_id + 100 WHERE seq = 2",
            "DELETE FROM audit_checkpoint",
            "INSERT INTO audit_event (seq, time, type, outcome, prev_hash, hash) VALUES (5, 0, 'x', 'success', zeroblob(32), zeroblob(32))",
            "INSERT INTO audit_event (seq, time, type, outcome, prev_hash, hash) VALUES (3, 0, 'x', 'success', zeroblob(32), zeroblob(32))",
        ]
        for sql in refused {
            XCTAssertThrowsError(try database.writer.write { try $0.execute(sql: sql) }, sql) { error in
                XCTAssertTrue("\(error)".contains("append-only"), "\(sql): \(error)")
            }
        }
        XCTAssertNoThrow(try database.writer.write { try $0.execute(sql: "UPDATE audit_event SET username = NULL WHERE seq = 1") })
        let result = try log.verify()
        XCTAssertTrue(result.ok, "\(result)")
        XCTAssertEqual(result.entries, 2)
        XCTAssertEqual(try log.query(AuditFilter(), limit: nil).entries.map(\.event.type), ["login.failed", "login.succeeded"])
    }

    func testChainContinuesAcrossReopeningTheFile() throws {
        let temp = try TemporaryDirectory()
        temps.append(temp)
        let clock = ManualClock()
        let sealer = FakeCheckpointSealer()
        let (first, log) = try openLog(temp, clock: clock, sealer: sealer, interval: 2)
        try log.append(Self.event("account.created"))
        try log.append(Self.event("login.succeeded"))
        try log.append(Self.event("login.failed"))
        try first.close()
        let (second, reopened) = try openLog(temp, clock: clock, sealer: sealer, interval: 2)
        defer { try? second.close() }
        let next = try reopened.append(Self.event("session.created"))
        XCTAssertEqual(next.seq, 4)
        let result = try reopened.verify()
        XCTAssertTrue(result.ok, "\(result)")
        XCTAssertEqual(result.entries, 4)
        XCTAssertEqual(result.checkpoints, 2)
    }

    func testTwoLogsOnOneDatabaseInterleaveIntoOneChain() throws {
        // The head is read inside each append's transaction, never cached, so
        // no writer can append from a stale head and fork the chain.
        let temp = try TemporaryDirectory()
        temps.append(temp)
        let clock = ManualClock()
        let sealer = FakeCheckpointSealer()
        let (database, writerA) = try openLog(temp, clock: clock, sealer: sealer)
        let writerB = SQLiteAuditLog(database: database, clock: clock, hasher: SoftwareSHA256(), sealer: sealer)
        XCTAssertEqual(try writerA.append(Self.event("a.1")).seq, 1)
        XCTAssertEqual(try writerB.append(Self.event("b.2")).seq, 2)
        XCTAssertEqual(try writerA.append(Self.event("a.3")).seq, 3)
        let result = try writerA.verify()
        XCTAssertTrue(result.ok, "\(result)")
        XCTAssertEqual(try writerA.query(AuditFilter(), limit: nil).entries.map(\.event.type), ["a.1", "b.2", "a.3"])
    }

    func testConcurrentAppendsGetGaplessSeqsAndAValidChain() throws {
        let temp = try TemporaryDirectory()
        temps.append(temp)
        let (_, log) = try openLog(temp, clock: ManualClock(), sealer: FakeCheckpointSealer(), interval: 10)
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            for index in 0..<25 {
                _ = try? log.append(Self.event("worker.\(worker).\(index)"))
            }
        }
        let entries = try log.query(AuditFilter(), limit: nil).entries
        XCTAssertEqual(entries.map(\.seq), Array(1...100))
        let result = try log.verify()
        XCTAssertTrue(result.ok, "\(result)")
        XCTAssertEqual(result.checkpoints, 10)
    }

    func testAuditTablesHoldNoUsernameInTheChainAndNoForeignKeyToTheAccount() throws {
        let database = try RiegelDatabase.inMemory()
        let foreignKeys = try database.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM pragma_foreign_key_list('audit_event')")
        }
        XCTAssertTrue(foreignKeys.isEmpty, "audit entries must outlive their account")
        let a = AuditEvent(type: "login.failed", outcome: .failure, userID: UserID(rawValue: "u_1"), username: "alice")
        var b = a
        b.username = nil
        XCTAssertEqual(AuditChain.canonicalEncoding(seq: 1, time: Instant(secondsSinceEpoch: 0), event: a),
                       AuditChain.canonicalEncoding(seq: 1, time: Instant(secondsSinceEpoch: 0), event: b))
    }
}
