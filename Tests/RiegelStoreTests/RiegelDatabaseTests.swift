import Foundation
import GRDB
import RiegelCore
@testable import RiegelStore
import XCTest

final class RiegelDatabaseTests: XCTestCase {
    var temp: TemporaryDirectory!

    override func setUpWithError() throws { temp = try TemporaryDirectory() }
    override func tearDown() { temp.remove() }

    private func openFresh() throws -> RiegelDatabase {
        try RiegelDatabase.open(in: try StateDirectory.prepare(at: temp.path))
    }

    func testSynchronousIsFullOnTheWriterAfterOpening() throws {
        let db = try openFresh()
        defer { try? db.close() }
        let synchronous = try db.writer.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
        XCTAssertEqual(synchronous, 2, "2 = FULL: a committed security change must survive power loss")
    }

    func testDatabaseUsesWALForeignKeysAndSecureDelete() throws {
        let db = try openFresh()
        defer { try? db.close() }
        try db.writer.writeWithoutTransaction { conn in
            XCTAssertEqual(try String.fetchOne(conn, sql: "PRAGMA journal_mode"), "wal")
            XCTAssertEqual(try Int.fetchOne(conn, sql: "PRAGMA foreign_keys"), 1)
            XCTAssertEqual(try Int.fetchOne(conn, sql: "PRAGMA secure_delete"), 1)
        }
        XCTAssertEqual(db.path, temp.path + "/riegel.sqlite")
    }

    func testNewDatabaseFileAndItsWALAreCreatedWithMode0600() throws {
        let previous = umask(0)
        defer { umask(previous) }
        let db = try openFresh()
        defer { try? db.close() }
        try db.writer.write { try $0.execute(sql: "INSERT INTO meta (name, value) VALUES ('t', x'00')") }
        for suffix in ["", "-wal", "-shm"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: temp.path + "/riegel.sqlite" + suffix)
            XCTAssertEqual((attributes[.posixPermissions] as! NSNumber).intValue, 0o600, "riegel.sqlite\(suffix)")
        }
    }

    func testMigrationsAreAppliedOnceAndInOrder() throws {
        let db = try openFresh()
        XCTAssertEqual(try db.appliedMigrations(), ["v1-keys", "v2-accounts", "v3-sessions", "v4-throttle", "v5-audit", "v6-sms", "v7-devices", "v8-credential-generation",
                                                     "v9-credential-provenance", "v10-key-rewrap",
                                                     "v11-account-listing", "v12-audit-signatures", "v13-factors",
                                                     "v14-sms-send-buckets"])
        try db.close()
        let again = try openFresh()
        defer { try? again.close() }
        XCTAssertEqual(try again.appliedMigrations(), ["v1-keys", "v2-accounts", "v3-sessions", "v4-throttle", "v5-audit", "v6-sms", "v7-devices", "v8-credential-generation",
                                                     "v9-credential-provenance", "v10-key-rewrap",
                                                     "v11-account-listing", "v12-audit-signatures", "v13-factors",
                                                     "v14-sms-send-buckets"])
        let format = try again.writer.read { try Data.fetchOne($0, sql: "SELECT value FROM meta WHERE name = 'format'") }
        XCTAssertEqual(format.map { String(decoding: $0, as: UTF8.self) }, "riegel")
    }

    func testInMemoryDatabaseHasTheSchema() throws {
        let db = try RiegelDatabase.inMemory()
        XCTAssertNil(db.path)
        XCTAssertEqual(try db.appliedMigrations(), ["v1-keys", "v2-accounts", "v3-sessions", "v4-throttle", "v5-audit", "v6-sms", "v7-devices", "v8-credential-generation",
                                                     "v9-credential-provenance", "v10-key-rewrap",
                                                     "v11-account-listing", "v12-audit-signatures", "v13-factors",
                                                     "v14-sms-send-buckets"])
    }

    func testCredentialProvenanceMigrationFillsHowExistingSessionsProvedTheSecondFactor() throws {
        let path = temp.path + "/riegel.sqlite"
        let old = try RiegelDatabase.open(path: path, migrations: Array(MigrationRegistry.all.prefix(8)))
        try old.writer.write { db in
            try db.execute(sql: """
                INSERT INTO user (id, username, username_key, password_hash, password_key_id, created_at, second_factor)
                VALUES ('u_1', 'anna', 'anna', x'00', 1, 0, 1)
                """)
            for (id, assurance, method) in [("s_pw", "password", "password"), ("s_up", "second_factor", "password"),
                                            ("s_sms", "second_factor", "sms"), ("s_td", "second_factor", "trusted_device"),
                                            ("s_dk", "second_factor", "device_key")] {
                try db.execute(sql: """
                    INSERT INTO session (id, user_id, token_digest, assurance, method, created_at, authenticated_at,
                                         last_activity_at) VALUES (?, 'u_1', ?, ?, ?, 0, 0, 0)
                    """, arguments: [id, Data(id.utf8), assurance, method])
            }
        }
        try old.close()
        let db = try RiegelDatabase.open(path: path)
        defer { try? db.close() }
        let filled = try db.writer.read { db in
            try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT id, second_factor_method FROM session")
                .map { ($0["id"] as String, $0["second_factor_method"] as String?) })
        }
        XCTAssertEqual(filled, ["s_pw": nil, "s_up": "sms", "s_sms": "sms", "s_td": "trusted_device",
                                "s_dk": "device_key"])
        XCTAssertThrowsError(try db.writer.write {
            try $0.execute(sql: "UPDATE session SET second_factor_method = 'password' WHERE id = 's_up'")
        }, "a password is no second-factor method")
    }

    func testFactorsMigrationKeepsEverySessionAndWidensItsMethods() throws {
        let path = temp.path + "/riegel.sqlite"
        let old = try RiegelDatabase.open(path: path, migrations: Array(MigrationRegistry.all.prefix(12)))
        try old.writer.write { db in
            try db.execute(sql: """
                INSERT INTO user (id, username, username_key, password_hash, password_key_id, created_at, second_factor)
                VALUES ('u_1', 'anna', 'anna', x'00', 1, 0, 1)
                """)
            try db.execute(sql: """
                INSERT INTO session (id, user_id, token_digest, assurance, method, created_at, authenticated_at,
                                     second_factor_at, last_activity_at, client_ip, user_agent, revoked_at,
                                     revoke_reason, device_id, second_factor_method)
                VALUES ('s_1', 'u_1', x'01', 'second_factor', 'trusted_device', 1, 2, 3, 4, '192.0.2.1', 'UA', 5,
                        'logout', 'd_1', 'sms')
                """)
        }
        let before = try old.writer.read { try Row.fetchOne($0, sql: "SELECT * FROM session") }
        try old.close()
        let db = try RiegelDatabase.open(path: path)
        defer { try? db.close() }
        let after = try db.writer.read { try Row.fetchOne($0, sql: "SELECT * FROM session") }
        XCTAssertEqual(after, before, "every column of every session survives the rebuild")
        let indexes = try db.writer.read {
            try String.fetchAll($0, sql: "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'session' AND sql IS NOT NULL ORDER BY name")
        }
        XCTAssertEqual(indexes, ["session_device", "session_user"])
        try db.writer.write {
            try $0.execute(sql: "UPDATE session SET method = 'totp', second_factor_method = 'recovery_code' WHERE id = 's_1'")
        }
        XCTAssertThrowsError(try db.writer.write {
            try $0.execute(sql: "UPDATE session SET method = 'carrier_pigeon' WHERE id = 's_1'")
        }, "the CHECK still refuses other methods")
    }

    /// Send windows stored one entry per send become bucket counts of 60 s
    /// (issue 18), each send in the bucket that holds it; other rows stay.
    func testSendBucketsMigrationConvertsOldWindowsWithoutFreeingAnySendEarly() throws {
        let path = temp.path + "/riegel.sqlite"
        let old = try RiegelDatabase.open(path: path, migrations: Array(MigrationRegistry.all.prefix(13)))
        let t0 = 1_767_225_600.0  // a whole minute
        let times = [t0 + 1.5, t0 + 59.999, t0 + 60, t0 + 61, t0 + 3000.25]
        let sends = #"{"sends":["# + times.map { #"{"secondsSinceEpoch":\#($0)}"# }.joined(separator: ",") + "]}"
        try old.writer.write { db in
            try db.execute(sql: "INSERT INTO sms_send_window (key, sends, updated_at) VALUES ('global', ?, 5)",
                           arguments: [sends])
            try db.execute(sql: #"INSERT INTO sms_send_window (key, sends, updated_at) VALUES ('user:u_1', '{"sends":[]}', 6)"#)
        }
        try old.close()
        let db = try RiegelDatabase.open(path: path)
        defer { try? db.close() }
        let rows = try db.writer.read { db in
            try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT key, sends, updated_at FROM sms_send_window")
                .map { ($0["key"] as String, ($0["sends"] as String, $0["updated_at"] as Double)) })
        }
        let global = try JSONDecoder().decode(SMSSendWindow.self, from: Data(rows["global"]!.0.utf8))
        let k0 = Int64(t0 / 60)
        XCTAssertEqual(global.bucketWidth, 60)
        XCTAssertEqual(global.buckets, [.init(index: k0, count: 2), .init(index: k0 + 1, count: 2),
                                        .init(index: k0 + 50, count: 1)])
        for (i, t) in times.enumerated() {
            XCTAssertGreaterThanOrEqual(global.count(now: Instant(secondsSinceEpoch: t + 3600 - 0.001), window: 3600),
                                        times.count - i, "the send at \(t) still counts just before it is an hour old")
        }
        XCTAssertEqual(rows["global"]!.1, 5, "updated_at stays")
        XCTAssertEqual(try JSONDecoder().decode(SMSSendWindow.self, from: Data(rows["user:u_1"]!.0.utf8)).buckets, [],
                       "an empty window stays empty")
        XCTAssertFalse(rows.values.contains { $0.0.contains("secondsSinceEpoch") })
    }

    func testDatabaseMigratedByANewerVersionIsRefused() throws {
        let db = try openFresh()
        try db.writer.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-future')") }
        try db.close()
        XCTAssertThrowsError(try openFresh()) { error in
            XCTAssertEqual(error as? RiegelDatabaseError,
                           .newerSchema(path: temp.path + "/riegel.sqlite", unknownMigrations: ["v99-future"]))
        }
    }

    func testFileThatFailsItsIntegrityCheckRefusesStartup() throws {
        let path = temp.path + "/riegel.sqlite"
        let db = try openFresh()
        let (root, pageSize) = try db.writer.write { conn -> (Int, Int) in
            try conn.execute(sql: "CREATE TABLE filler (x TEXT NOT NULL); CREATE INDEX filler_x ON filler (x)")
            for i in 0..<2000 { try conn.execute(sql: "INSERT INTO filler (x) VALUES (?)", arguments: ["row-\(i)-padding-padding"]) }
            return (try Int.fetchOne(conn, sql: "SELECT rootpage FROM sqlite_schema WHERE name = 'filler_x'")!,
                    try Int.fetchOne(conn, sql: "PRAGMA page_size")!)
        }
        try db.close()
        // Scribble over the b-tree page header of the index's root page.
        let handle = try XCTUnwrap(FileHandle(forUpdatingAtPath: path))
        try handle.seek(toOffset: UInt64((root - 1) * pageSize))
        try handle.write(contentsOf: Data(repeating: 0xA5, count: 64))
        try handle.close()

        XCTAssertThrowsError(try openFresh()) { error in
            guard case RiegelDatabaseError.integrityCheckFailed(let p, let problems) = error else {
                return XCTFail("expected integrityCheckFailed, got \(error)")
            }
            XCTAssertEqual(p, path)
            XCTAssertFalse(problems.isEmpty)
            XCTAssertTrue("\(error)".contains("restore it from a backup"))
        }
    }

    func testFileThatIsNotADatabaseRefusesStartup() throws {
        let path = temp.path + "/riegel.sqlite"
        _ = FileManager.default.createFile(atPath: path, contents: Data(repeating: 0x42, count: 8192))
        XCTAssertThrowsError(try openFresh())
    }
}
