import RiegelCore
@testable import RiegelPostgres
import XCTest

/// The PostgreSQL side of `riegelctl storage copy` against hand-made sources:
/// what it refuses, and that a copy failing midway leaves nothing behind
/// (the SQLite side end to end: `test_postgres.py`).
final class PostgresStoreImportTests: PostgresTestCase {
    /// A source of fixed tables.
    private struct Source: StorageCopySource, StorageSnapshot {
        var data: [String: (columns: [String], rows: [[StoredValue]])]

        func snapshot<T>(_ body: (any StorageSnapshot) throws -> T) throws -> T { try body(self) }
        func tables() throws -> [String: [String]] { data.mapValues(\.columns) }
        func count(_ table: String) throws -> Int { data[table]?.rows.count ?? 0 }
        func scan(_ table: String, columns: [String], batchSize: Int, _ body: ([[StoredValue]]) throws -> Void) throws {
            let rows = data[table]?.rows ?? []
            for start in stride(from: 0, to: rows.count, by: batchSize) {
                try body(Array(rows[start..<min(rows.count, start + batchSize)]))
            }
        }
    }

    private static let userColumns = ["id", "username", "username_key", "password_hash", "password_key_id", "created_at",
                                      "second_factor"]

    private static func user(_ n: Int, secondFactor: StoredValue = .integer(0)) -> [StoredValue] {
        [.text("u_\(n)"), .text("user\(n)"), .text("user\(n)"), .bytes([1, 2, UInt8(n)]), .integer(1), .real(1_767_225_600),
         secondFactor]
    }

    private func tableCounts(_ db: PostgresDatabase) throws -> Int {
        try db.withSession { s in
            Int(try s.query("SELECT (SELECT count(*) FROM \"user\") + (SELECT count(*) FROM throttle) AS n").first!.int("n", table: "t"))
        }
    }

    func testUsersAndThrottlesAreCopiedWithTheirTypesConverted() throws {
        let db = try makeDatabase()
        let source = Source(data: [
            "user": (Self.userColumns, (1...3).map { Self.user($0, secondFactor: .integer($0 == 2 ? 1 : 0)) }),
            "throttle": (["key", "state", "updated_at"], [[.text("ip:192.0.2.1"), .text("{}"), .integer(5)]]),
        ])
        let report = try PostgresStoreImport(database: db).copy(from: source, batchSize: 2)
        XCTAssertEqual(report.rows["user"], 3)
        XCTAssertEqual(report.rows["throttle"], 1)
        XCTAssertNil(report.auditHead)
        let flags = try db.withSession { s in
            try s.query("SELECT id, second_factor FROM \"user\" ORDER BY id").map { try $0.bool("second_factor", table: "user") }
        }
        XCTAssertEqual(flags, [false, true, false], "SQLite's 0/1 become PostgreSQL booleans")
    }

    func testAValueThatDoesNotFitLeavesTheDatabaseEmpty() throws {
        let db = try makeDatabase()
        // "user" goes in first (throttle has no foreign key, but sorts after it); the bad row is in throttle.
        let source = Source(data: [
            "user": (Self.userColumns, [Self.user(1)]),
            "throttle": (["key", "state", "updated_at"], [[.text("k"), .text("{}"), .text("yesterday")]]),
        ])
        XCTAssertThrowsError(try PostgresStoreImport(database: db).copy(from: source)) { error in
            XCTAssertEqual(error as? StoreImportError,
                           .unconvertibleValue(table: "throttle", column: "updated_at", type: "double precision"))
        }
        XCTAssertEqual(try tableCounts(db), 0, "the user written before the failure is rolled back")
    }

    func testUnknownTablesAndColumnsAndAFilledDatabaseAreRefusedBeforeAnyWrite() throws {
        let db = try makeDatabase()
        let unknownTable = Source(data: ["user": (Self.userColumns, [Self.user(1)]), "gadget": (["id"], [[.integer(1)]])])
        XCTAssertThrowsError(try PostgresStoreImport(database: db).copy(from: unknownTable)) {
            XCTAssertEqual($0 as? StoreImportError, .unknownTable("gadget"))
        }
        let unknownColumn = Source(data: ["user": (Self.userColumns + ["shoe_size"], [Self.user(1) + [.integer(44)]])])
        XCTAssertThrowsError(try PostgresStoreImport(database: db).copy(from: unknownColumn)) {
            XCTAssertEqual($0 as? StoreImportError, .unknownColumn(table: "user", column: "shoe_size"))
        }
        XCTAssertEqual(try tableCounts(db), 0)
        _ = try PostgresStoreImport(database: db).copy(from: Source(data: ["user": (Self.userColumns, [Self.user(1)])]))
        XCTAssertThrowsError(try PostgresStoreImport(database: db).copy(from: Source(data: ["user": (Self.userColumns, [Self.user(2)])]))) {
            XCTAssertEqual($0 as? StoreImportError, .targetNotEmpty(table: "user"))
        }
        XCTAssertEqual(try tableCounts(db), 1)
    }

    func testABrokenAuditChainIsRefusedAndNothingStays() throws {
        let columns = ["seq", "time", "type", "outcome", "prev_hash", "hash", "details"]
        func entry(_ seq: Int64, prev: UInt8, hash: UInt8) -> [StoredValue] {
            [.integer(seq), .real(1_767_225_600), .text("user.registered"), .text("success"),
             .bytes([UInt8](repeating: prev, count: 32)), .bytes([UInt8](repeating: hash, count: 32)), .text("{}")]
        }
        let linked = Source(data: ["audit_event": (columns, [entry(1, prev: 0, hash: 1), entry(2, prev: 1, hash: 2)])])
        let report = try PostgresStoreImport(database: try makeDatabase()).copy(from: linked)
        XCTAssertEqual(report.auditHead, AuditChainPosition(seq: 2, hash: [UInt8](repeating: 2, count: 32)))
        // Entry 2 does not link to entry 1: the database's own trigger refuses it.
        let broken = Source(data: ["audit_event": (columns, [entry(1, prev: 0, hash: 1), entry(2, prev: 9, hash: 2)])])
        let db = try makeDatabase()
        XCTAssertThrowsError(try PostgresStoreImport(database: db).copy(from: broken))
        let left = try db.withSession { s in Int(try s.query("SELECT count(*) AS n FROM audit_event").first!.int("n", table: "a")) }
        XCTAssertEqual(left, 0)
    }
}
