@testable import RiegelPostgres
import RiegelCore
import RiegelTesting
import XCTest

/// The conformance suites of RiegelTesting, unchanged, against a real
/// PostgreSQL server: one database per test, emptied between rules.
final class PostgresStoreConformanceTests: PostgresTestCase {
    func testAccountStorePassesTheConformanceSuite() throws {
        let db = try makeDatabase()
        try AccountStoreConformance.run { PostgresAccountStore(database: try erase(db)) }
    }

    func testThrottleStorePassesTheConformanceSuite() throws {
        let db = try makeDatabase()
        try ThrottleStoreConformance.run { PostgresThrottleStore(database: try erase(db)) }
    }

    func testSessionStorePassesTheConformanceSuite() throws {
        let db = try makeDatabase()
        try SessionStoreConformance.run {
            let db = try erase(db)
            return .init(store: PostgresSessionStore(database: db), accounts: PostgresAccountStore(database: db))
        }
    }

    func testResetTokenStorePassesTheConformanceSuite() throws {
        let db = try makeDatabase()
        try ResetTokenStoreConformance.run {
            let db = try erase(db)
            return .init(store: PostgresResetTokenStore(database: db), accounts: PostgresAccountStore(database: db))
        }
    }

    func testActivationCodeStorePassesTheConformanceSuite() throws {
        let db = try makeDatabase()
        try ActivationCodeStoreConformance.run {
            let db = try erase(db)
            return .init(store: PostgresActivationCodeStore(database: db), accounts: PostgresAccountStore(database: db))
        }
    }

    func testDeviceStorePassesTheConformanceSuite() throws {
        let db = try makeDatabase()
        try DeviceStoreConformance.run {
            let db = try erase(db)
            return .init(store: PostgresDeviceStore(database: db), accounts: PostgresAccountStore(database: db))
        }
    }

    func testDeviceNonceStorePassesTheConformanceSuite() throws {
        let db = try makeDatabase()
        try DeviceNonceStoreConformance.run { PostgresDeviceNonceStore(database: try erase(db)) }
    }

    func testSMSChallengeStorePassesTheConformanceSuite() throws {
        let db = try makeDatabase()
        try SMSChallengeStoreConformance.run {
            let db = try erase(db)
            return .init(store: PostgresSMSChallengeStore(database: db), accounts: PostgresAccountStore(database: db))
        }
    }

    func testSMSCounterStorePassesTheConformanceSuite() throws {
        let db = try makeDatabase()
        try SMSCounterStoreConformance.run {
            let db = try erase(db)
            return .init(store: PostgresSMSCounterStore(database: db), accounts: PostgresAccountStore(database: db),
                         storedWindow: { key in
                             try db.withSession {
                                 try $0.query("SELECT sends FROM sms_send_window WHERE key = $1", [key]).first
                                     .map { try $0.text("sends", table: "sms_send_window") }
                             }
                         },
                         storeWindowText: { key, text in
                             try db.withSession {
                                 _ = try $0.execute("INSERT INTO sms_send_window (key, sends, updated_at) VALUES ($1, $2, 0)",
                                                    [key, text])
                             }
                         },
                         challenges: PostgresSMSChallengeStore(database: db))
        }
    }

    func testWrappedKeyStorePassesTheConformanceSuite() throws {
        let db = try makeDatabase()
        try WrappedKeyStoreConformance.run { PostgresKeyStore(database: try erase(db)) }
    }

    func testFactorStorePassesTheConformanceSuite() throws {
        let db = try makeDatabase()
        try FactorStoreConformance.run {
            let db = try erase(db)
            return .init(store: PostgresFactorStore(database: db), accounts: PostgresAccountStore(database: db))
        }
    }

    func testAccountDirectoryPassesTheConformanceSuite() async throws {
        let db = try makeDatabase()
        try await AccountDirectoryConformance.run {
            let db = try self.erase(db)
            return .init(directory: PostgresAccountDirectory(database: db), accounts: PostgresAccountStore(database: db),
                         devices: PostgresDeviceStore(database: db))
        }
    }

    func testKeyRewrapStorePassesTheConformanceSuite() async throws {
        let db = try makeDatabase()
        try await KeyRewrapStoreConformance.run {
            let db = try self.erase(db)
            return .init(rewrap: PostgresKeyRewrapStore(database: db), accounts: PostgresAccountStore(database: db),
                         activationCodes: PostgresActivationCodeStore(database: db), keys: PostgresKeyStore(database: db))
        }
    }
}
