import Foundation
import RiegelCore
@testable import RiegelPostgres
import RiegelTesting
import XCTest

/// The database itself: migrations, transactions and savepoints, and what a
/// caller sees when the server cannot be reached.
final class PostgresDatabaseTests: PostgresTestCase {
    private let t0 = Instant(secondsSinceEpoch: 1_767_225_600)

    private func account(_ name: String) throws -> AccountRecord {
        AccountRecord(id: UserID(rawValue: "u_\(name)"), username: try Username(name), email: nil, emailIndex: nil,
                      passwordHash: SealedSecret(bytes: [1, 2, 3], keyID: KeyID(rawValue: 1)), createdAt: t0)
    }

    func testEveryMigrationIsAppliedOnceInOrder() throws {
        let db = try makeDatabase()
        XCTAssertEqual(try db.appliedMigrations(), PostgresMigrations.all.map(\.name))
        let again = try reopen(db)
        XCTAssertEqual(try again.appliedMigrations(), PostgresMigrations.all.map(\.name))
    }

    /// `pg-9-sms-send-buckets` turns send windows of one entry per send into
    /// bucket counts of 60 s, each send in the bucket that holds it. (Its
    /// statement, run again on rows written in the old format after the
    /// template was migrated.)
    func testSendBucketsMigrationConvertsOldWindowsWithoutFreeingAnySendEarly() throws {
        let db = try makeDatabase()
        let times = [1.5, 59.999, 60, 61, 3000.25].map { t0.secondsSinceEpoch + $0 }
        let sends = #"{"sends":["# + times.map { #"{"secondsSinceEpoch":\#($0)}"# }.joined(separator: ",") + "]}"
        var window = SMSSendWindow()
        window.record(now: t0, window: 3600)
        let current = try JSONColumn.encode(window)
        try db.withSession { session in
            try session.execute("INSERT INTO sms_send_window (key, sends, updated_at) VALUES ('global', $1, 5)", [sends])
            try session.execute(#"INSERT INTO sms_send_window (key, sends, updated_at) VALUES ('user:u_1', '{"sends":[]}', 6)"#)
            try session.execute("INSERT INTO sms_send_window (key, sends, updated_at) VALUES ('country:49', $1, 7)", [current])
            for statement in PostgresMigrator.statements(PGSMSSendBuckets.migration.sql) {
                try session.execute(statement)
            }
        }
        let store = PostgresSMSCounterStore(database: db)
        let global = try XCTUnwrap(try store.sendWindow("global"))
        let k0 = Int64(t0.secondsSinceEpoch / 60)
        XCTAssertEqual(global.bucketWidth, 60)
        XCTAssertEqual(global.buckets, [.init(index: k0, count: 2), .init(index: k0 + 1, count: 2),
                                        .init(index: k0 + 50, count: 1)])
        for (i, t) in times.enumerated() {
            XCTAssertGreaterThanOrEqual(global.count(now: Instant(secondsSinceEpoch: t + 3600 - 0.001), window: 3600),
                                        times.count - i, "the send at \(t) still counts just before it is an hour old")
        }
        XCTAssertEqual(try store.sendWindow("user:u_1")?.buckets, [], "an empty window stays empty")
        XCTAssertEqual(try store.sendWindow("country:49"), window, "a row in the new format is left alone")
        let texts = try db.withSession { session in
            try session.query("SELECT sends FROM sms_send_window").map { try $0.text("sends", table: "sms_send_window") }
        }
        XCTAssertFalse(texts.contains { $0.contains("secondsSinceEpoch") }, "\(texts)")
    }

    func testADatabaseWithAnUnknownMigrationIsRefused() throws {
        let db = try makeDatabase()
        try db.withSession {
            try $0.execute("INSERT INTO riegel_migrations (name, applied_at) VALUES ('pg-999-future', 0)")
        }
        XCTAssertThrowsError(try reopen(db)) { error in
            XCTAssertEqual(error as? PostgresStoreError, .newerSchema(unknownMigrations: ["pg-999-future"]))
        }
    }

    func testARunnerScopeCommitsTogetherOrNotAtAll() throws {
        let db = try makeDatabase()
        let runner = PostgresTransactionRunner(database: db)
        let accounts = PostgresAccountStore(database: db)
        struct Abort: Error {}
        XCTAssertThrowsError(try runner.inTransaction {
            try accounts.create(try account("anna"))
            throw Abort()
        })
        XCTAssertNil(try accounts.account(id: UserID(rawValue: "u_anna")), "a scope that throws must leave nothing")
        try runner.inTransaction {
            try accounts.create(try account("anna"))
            // A store error inside the scope rolls back its savepoint only.
            XCTAssertThrowsError(try accounts.create(try account("ANNA"))) {
                XCTAssertEqual($0 as? AccountStoreError, .usernameTaken)
            }
            try accounts.create(try account("bert"))
            // A scope after kept ones rolls back only itself: anna and bert stay.
            XCTAssertThrowsError(try runner.inTransaction {
                try accounts.create(try account("carl"))
                throw Abort()
            })
        }
        XCTAssertEqual(try accounts.count(), 2)
        XCTAssertNotNil(try accounts.account(id: UserID(rawValue: "u_anna")))
        XCTAssertNotNil(try accounts.account(id: UserID(rawValue: "u_bert")))
        XCTAssertNil(try accounts.account(id: UserID(rawValue: "u_carl")))
    }

    func testAReadInsideAScopeSeesItsOwnWritesAndOthersDoNot() throws {
        let db = try makeDatabase()
        let other = try reopen(db)
        let runner = PostgresTransactionRunner(database: db)
        try runner.inTransaction {
            try PostgresAccountStore(database: db).create(try account("anna"))
            XCTAssertNotNil(try PostgresAccountStore(database: db).accountForUpdate(id: UserID(rawValue: "u_anna")))
            XCTAssertNil(try PostgresAccountStore(database: other).account(id: UserID(rawValue: "u_anna")),
                         "another instance must not see an uncommitted account")
        }
        XCTAssertNotNil(try PostgresAccountStore(database: other).account(id: UserID(rawValue: "u_anna")))
    }

    /// No server at the socket: opening fails within the connect timeout with
    /// an error that says storage is unavailable (the RPC layer's `StorageUnavailable`).
    func testAnUnreachableServerIsStorageUnavailable() throws {
        let settings = PostgresSettings(endpoint: .unixSocket(path: "/nonexistent/riegel/.s.PGSQL.5432"),
                                        database: "riegel", user: "riegel", password: nil, connectTimeout: 1)
        let started = Date()
        XCTAssertThrowsError(try PostgresDatabase.open(settings)) { error in
            guard let failure = error as? PostgresStoreError else { return XCTFail("\(error)") }
            XCTAssertTrue(failure.isStorageUnavailable, "\(failure)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
    }

    /// The password never appears in what the settings print.
    func testSettingsNeverPrintThePassword() {
        let settings = PostgresSettings(endpoint: .tcp(host: "db.example", port: 5432, tls: true), database: "riegel",
                                        user: "riegel", password: "hunter2-secret")
        XCTAssertFalse(String(describing: settings).contains("hunter2"))
        XCTAssertFalse(String(reflecting: settings).contains("hunter2"))
    }
}
