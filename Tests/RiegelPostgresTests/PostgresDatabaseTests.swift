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
        }
        XCTAssertEqual(try accounts.count(), 2)
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
