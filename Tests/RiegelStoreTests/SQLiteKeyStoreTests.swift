import Foundation
import GRDB
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

    /// The re-wrap store on the same file as the stores it counts (no fake:
    /// key usage is counted by the stores' own queries).
    func testSQLiteKeyRewrapStorePassesTheConformanceSuite() async throws {
        var temps: [TemporaryDirectory] = []
        defer { temps.forEach { $0.remove() } }
        try await KeyRewrapStoreConformance.run {
            let temp = try TemporaryDirectory()
            temps.append(temp)
            let db = try RiegelDatabase.open(in: try StateDirectory.prepare(at: temp.path))
            return .init(rewrap: SQLiteKeyRewrapStore(database: db), accounts: SQLiteAccountStore(database: db),
                         activationCodes: SQLiteActivationCodeStore(database: db), keys: SQLiteKeyStore(database: db))
        }
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

    /// The key table and the check value, as stored bytes.
    private func rawKeys(_ db: RiegelDatabase) throws -> [String] {
        try db.writer.read { db in
            try String.fetchAll(db, sql: """
                SELECT id || '|' || purpose || '|' || state || '|' || quote(created_at) || '|' || hex(wrapped) || '|' || master_key_id
                FROM key ORDER BY id
                """)
            + String.fetchAll(db, sql: "SELECT name || '|' || hex(value) FROM meta ORDER BY name")
        }
    }

    func testMasterKeyRewrapCommitsEveryRowAndTheCheckValueOrNothing() throws {
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        let db = try RiegelDatabase.open(in: try StateDirectory.prepare(at: temp.path))
        defer { try? db.close() }
        let store = SQLiteKeyStore(database: db)
        let keys = (1...4).map { WrappedDataKey(id: KeyID(rawValue: UInt32($0)), purpose: KeyPurpose.allCases[$0 - 1],
                                                state: .active, createdAt: Instant(secondsSinceEpoch: 1_767_225_600),
                                                wrapped: Array(repeating: UInt8($0), count: 61), masterKeyID: "old") }
        try store.apply(WrappedKeyChange(inserts: keys, masterKeyCheck: Array(repeating: 1, count: 32)))
        let before = try rawKeys(db)

        var rewraps: [KeyID: WrappedKeyRewrap] = [:]
        for key in keys { rewraps[key.id] = WrappedKeyRewrap(wrapped: Array(repeating: 0xEE, count: 61), masterKeyID: "new") }
        var refused = rewraps
        refused[KeyID(rawValue: 99)] = WrappedKeyRewrap(wrapped: [0], masterKeyID: "new")
        XCTAssertThrowsError(try store.apply(WrappedKeyChange(rewraps: refused, masterKeyCheck: Array(repeating: 2, count: 32)))) {
            XCTAssertEqual($0 as? WrappedKeyStoreError, .unknownKey(KeyID(rawValue: 99)))
        }
        XCTAssertEqual(try rawKeys(db), before, "a refused re-wrap leaves the table and check value byte-identical")

        try store.apply(WrappedKeyChange(rewraps: rewraps, masterKeyCheck: Array(repeating: 2, count: 32)))
        let after = try store.load()
        XCTAssertEqual(after.keys.map(\.masterKeyID), ["new", "new", "new", "new"])
        XCTAssertTrue(after.keys.allSatisfy { $0.wrapped == Array(repeating: 0xEE, count: 61) })
        XCTAssertEqual(after.masterKeyCheck, Array(repeating: 2, count: 32))
    }
}
