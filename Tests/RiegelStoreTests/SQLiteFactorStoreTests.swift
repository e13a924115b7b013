import Foundation
import GRDB
import RiegelCore
@testable import RiegelStore
import RiegelTesting
import Synchronization
import XCTest

/// The factor store: its conformance suite against the in-memory fake,
/// SQLite in memory and SQLite on disk; then what only SQLite does (races
/// on one connection pool, the migrated session table, key references).
final class SQLiteFactorStoreTests: StoreBackendTestCase {
    func testFactorStoresPassTheConformanceSuite() {
        for backend in backends() {
            XCTAssertNoThrow(try FactorStoreConformance.run {
                if let db = try backend.make() {
                    return .init(store: SQLiteFactorStore(database: db), accounts: SQLiteAccountStore(database: db))
                }
                let data = InMemoryStoreData()
                return .init(store: InMemoryFactorStore(data: data), accounts: InMemoryAccountStore(data: data))
            }, backend.name)
        }
    }

    // MARK: SQLite only

    private let t0 = Instant(secondsSinceEpoch: 1_767_225_600.5)
    private let anna = UserID(rawValue: "u_anna")

    private func withAccount(_ db: RiegelDatabase) throws {
        try SQLiteAccountStore(database: db).create(AccountRecord(
            id: anna, username: try Username("anna"), email: nil, emailIndex: nil,
            passwordHash: SealedSecret(bytes: [1, 2, 3], keyID: KeyID(rawValue: 1)), createdAt: t0))
    }

    private func app(_ n: Int) -> FactorRecord {
        FactorRecord(id: FactorID(rawValue: "f_\(n)"), userID: anna, kind: .totp, label: "App \(n)", state: .active,
                     createdAt: t0, secret: SealedSecret(bytes: [UInt8(n), 9, 9], keyID: KeyID(rawValue: 3)))
    }

    func testRacingUsesOfOneStepHaveOneWinner() throws {
        let db = try onDisk()
        try withAccount(db)
        let store = SQLiteFactorStore(database: db)
        try store.create(app(1))
        let winners = Mutex(0)
        let t0 = self.t0
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            if (try? store.useTOTPStep(id: FactorID(rawValue: "f_1"), step: 77, at: t0)) == true {
                winners.withLock { $0 += 1 }
            }
        }
        XCTAssertEqual(winners.withLock { $0 }, 1)
    }

    func testRacingUsesOfOneRecoveryCodeHaveOneWinner() throws {
        let db = try onDisk()
        try withAccount(db)
        let store = SQLiteFactorStore(database: db)
        let digest = KeyedDigest(bytes: Array(repeating: 5, count: 32), keyID: KeyID(rawValue: 3))
        try store.replaceRecoveryCodes(FactorRecord(id: FactorID(rawValue: "f_r"), userID: anna, kind: .recoveryCode,
                                                    label: "recovery codes", state: .active, createdAt: t0),
                                       digests: [digest])
        let winners = Mutex(0)
        let (t0, anna) = (self.t0, self.anna)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            if (try? store.useRecoveryCode(of: anna, digests: [digest], at: t0)) == true { winners.withLock { $0 += 1 } }
        }
        XCTAssertEqual(winners.withLock { $0 }, 1)
    }

    func testTheSchemaRefusesAnAppWithoutASecretAndASecondRecoverySet() throws {
        let db = try RiegelDatabase.inMemory()
        try withAccount(db)
        XCTAssertThrowsError(try db.write { db in
            try db.execute(sql: """
                INSERT INTO factor (id, user_id, kind, label, state, created_at) VALUES ('f_x', 'u_anna', 'totp', 'x', 'active', 0)
                """)
        })
        let store = SQLiteFactorStore(database: db)
        try store.replaceRecoveryCodes(FactorRecord(id: FactorID(rawValue: "f_r"), userID: anna, kind: .recoveryCode,
                                                    label: "recovery codes", state: .active, createdAt: t0), digests: [])
        XCTAssertThrowsError(try store.create(FactorRecord(id: FactorID(rawValue: "f_s"), userID: anna,
                                                           kind: .recoveryCode, label: "recovery codes", state: .active,
                                                           createdAt: t0)))
    }

    func testSessionsMayNowRecordAppAndRecoveryCodeLogins() throws {
        let db = try RiegelDatabase.inMemory()
        try withAccount(db)
        let sessions = SQLiteSessionStore(database: db)
        for (n, method) in [AuthenticationMethod.totp, .recoveryCode].enumerated() {
            let record = SessionRecord(id: SessionID(rawValue: "s_\(n)"), userID: anna, tokenDigest: [UInt8(n)],
                                       assurance: .secondFactor, method: method, createdAt: t0, authenticatedAt: t0,
                                       secondFactorAt: t0, secondFactorMethod: method, lastActivityAt: t0)
            try sessions.create(record)
            XCTAssertEqual(try sessions.session(id: record.id)?.method, method)
            XCTAssertEqual(try sessions.session(id: record.id)?.secondFactorMethod, method)
        }
        XCTAssertTrue(try db.appliedMigrations().contains("v13-factors"))
    }

    func testAnAppsSecretAndUnusedRecoveryCodesKeepTheirOtpKeyInUse() async throws {
        let db = try RiegelDatabase.inMemory()
        try withAccount(db)
        let store = SQLiteFactorStore(database: db)
        try store.create(app(1))
        try store.replaceRecoveryCodes(FactorRecord(id: FactorID(rawValue: "f_r"), userID: anna, kind: .recoveryCode,
                                                    label: "recovery codes", state: .active, createdAt: t0),
                                       digests: [KeyedDigest(bytes: [1], keyID: KeyID(rawValue: 4))])
        let rewrap = SQLiteKeyRewrapStore(database: db)
        let usage = try await rewrap.usage(now: t0)
        XCTAssertEqual(usage[KeyID(rawValue: 3)], 1, "the app's secret")
        XCTAssertEqual(usage[KeyID(rawValue: 4)], 1, "the unused recovery code")
        let stale = try await rewrap.staleSecrets(.otp, current: KeyID(rawValue: 5), limit: 10)
        XCTAssertEqual(stale, [.totpSecret(FactorID(rawValue: "f_1"), app(1).secret!)], "the secret is re-sealed")
    }
}
