import Foundation
import RiegelCore
@testable import RiegelStore
import RiegelTesting
import XCTest

final class SQLiteKeyStoreTests: XCTestCase {
    func testSQLiteKeyStoreInMemoryPassesTheConformanceSuite() throws {
        try WrappedKeyStoreConformance.run { SQLiteKeyStore(database: try RiegelDatabase.inMemory()) }
    }

    func testSQLiteKeyStoreOnDiskPassesTheConformanceSuite() throws {
        var temps: [TemporaryDirectory] = []
        defer { temps.forEach { $0.remove() } }
        try WrappedKeyStoreConformance.run {
            let temp = try TemporaryDirectory()
            temps.append(temp)
            return SQLiteKeyStore(database: try RiegelDatabase.open(in: try StateDirectory.prepare(at: temp.path)))
        }
    }

    func testInMemoryFakePassesTheConformanceSuite() throws {
        try WrappedKeyStoreConformance.run { InMemoryWrappedKeyStore() }
    }

    func testKeysSurviveReopeningTheFile() throws {
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        let key = WrappedDataKey(id: KeyID(rawValue: 7), purpose: .pii, state: .decryptOnly,
                                 createdAt: Instant(secondsSinceEpoch: 1_767_225_600.25),
                                 wrapped: Array(repeating: 0xEE, count: 61), masterKeyID: "0011223344556677")
        let db = try RiegelDatabase.open(in: try StateDirectory.prepare(at: temp.path))
        try SQLiteKeyStore(database: db).apply(WrappedKeyChange(inserts: [key], masterKeyCheck: [4, 5]))
        try db.close()
        let reopened = try RiegelDatabase.open(in: try StateDirectory.prepare(at: temp.path))
        defer { try? reopened.close() }
        XCTAssertEqual(try SQLiteKeyStore(database: reopened).load(),
                       WrappedKeySnapshot(keys: [key], masterKeyCheck: [4, 5]))
    }

    func testUnknownPurposeInTheFileIsReportedAsCorrupt() throws {
        let db = try RiegelDatabase.inMemory()
        try db.writer.write {
            try $0.execute(sql: "INSERT INTO key VALUES (1, 'telepathy', 'active', 0, x'00', 'mk')")
        }
        XCTAssertThrowsError(try SQLiteKeyStore(database: db).load()) { error in
            guard case WrappedKeyStoreError.corruptRecord = error else { return XCTFail("\(error)") }
        }
    }
}
