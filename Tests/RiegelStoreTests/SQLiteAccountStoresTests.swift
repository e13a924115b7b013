import Foundation
import GRDB
import RiegelCore
@testable import RiegelStore
import RiegelTesting
import Synchronization
import XCTest

/// The account, session, reset-token, activation-code and throttle stores:
/// each conformance suite against the in-memory fake, SQLite in memory and
/// SQLite on disk; then what only SQLite does (files, foreign keys, cascade).
final class SQLiteAccountStoresTests: StoreBackendTestCase {
    private func run(_ body: (String, () throws -> RiegelDatabase?) throws -> Void) {
        for backend in backends() {
            XCTAssertNoThrow(try body(backend.name, backend.make), backend.name)
        }
    }

    // MARK: conformance

    func testAccountStoresPassTheConformanceSuite() {
        run { _, make in
            try AccountStoreConformance.run {
                try make().map { SQLiteAccountStore(database: $0) as any AccountStore } ?? InMemoryAccountStore()
            }
        }
    }

    func testAccountDirectoriesPassTheConformanceSuite() async throws {
        for backend in backends() {
            do {
                try await AccountDirectoryConformance.run {
                    if let db = try backend.make() {
                        return .init(directory: SQLiteAccountDirectory(database: db),
                                     accounts: SQLiteAccountStore(database: db), devices: SQLiteDeviceStore(database: db))
                    }
                    let data = InMemoryStoreData()
                    return .init(directory: InMemoryAccountDirectory(data: data),
                                 accounts: InMemoryAccountStore(data: data), devices: InMemoryDeviceStore(data: data))
                }
            } catch {
                XCTFail("\(backend.name): \(error)")
            }
        }
    }

    /// Every page of `ListAccounts`, with any filters and a cursor, walks
    /// `user` along `user_created` (no table sort) and counts devices through
    /// `device_user`: one indexed query per page, whatever the table's size.
    func testAccountListPageUsesTheIndexes() throws {
        let db = try onDisk()
        let now = Instant(secondsSinceEpoch: 1_767_225_600)
        let after = AccountListPosition(createdAt: now, userID: UserID(rawValue: "u_1"))
        let filters = [AccountListFilter(), AccountListFilter(locked: true, secondFactor: false, createdSince: now,
                                                              lastLoginSince: now)]
        for filter in filters {
            for position in [nil, after] {
                let (sql, arguments) = SQLiteAccountDirectory.query(filter, after: position, now: now, limit: 100)
                let plan = try db.writer.read { db in
                    try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments)
                        .map { $0["detail"] as String }
                }
                let text = plan.joined(separator: "\n")
                XCTAssertTrue(plan.contains { $0.contains("user_created") }, "user must be read along user_created:\n\(text)")
                XCTAssertTrue(plan.contains { $0.contains("device_user") }, "devices must be counted by index:\n\(text)")
                XCTAssertFalse(text.contains("TEMP B-TREE"), "a page must not sort the table:\n\(text)")
                XCTAssertFalse(plan.contains { $0.hasPrefix("SCAN d") || $0.contains("SCAN device") },
                               "devices must not be scanned:\n\(text)")
            }
        }
    }

    func testThrottleStoresPassTheConformanceSuite() {
        run { _, make in
            try ThrottleStoreConformance.run {
                try make().map { SQLiteThrottleStore(database: $0) as any ThrottleStore } ?? InMemoryThrottleStore()
            }
        }
    }

    func testResetTokenStoresPassTheConformanceSuite() {
        run { _, make in
            try ResetTokenStoreConformance.run {
                if let db = try make() {
                    return .init(store: SQLiteResetTokenStore(database: db), accounts: SQLiteAccountStore(database: db))
                }
                let data = InMemoryStoreData()
                return .init(store: InMemoryResetTokenStore(data: data), accounts: InMemoryAccountStore(data: data))
            }
        }
    }

    func testActivationCodeStoresPassTheConformanceSuite() {
        run { _, make in
            try ActivationCodeStoreConformance.run {
                if let db = try make() {
                    return .init(store: SQLiteActivationCodeStore(database: db),
                                 accounts: SQLiteAccountStore(database: db))
                }
                let data = InMemoryStoreData()
                return .init(store: InMemoryActivationCodeStore(data: data), accounts: InMemoryAccountStore(data: data))
            }
        }
    }

    func testSessionStoresPassTheConformanceSuite() {
        run { _, make in
            try SessionStoreConformance.run {
                if let db = try make() {
                    return .init(store: SQLiteSessionStore(database: db), accounts: SQLiteAccountStore(database: db))
                }
                let data = InMemoryStoreData()
                return .init(store: InMemorySessionStore(data: data), accounts: InMemoryAccountStore(data: data))
            }
        }
    }

    // MARK: SQLite only

    private let t0 = Instant(secondsSinceEpoch: 1_767_225_600.5)

    private func account(_ suffix: String, username: String) throws -> AccountRecord {
        AccountRecord(id: UserID(rawValue: "u_" + suffix), username: try Username(username),
                      email: SealedSecret(bytes: Array(repeating: 0xE1, count: 40), keyID: KeyID(rawValue: 2)),
                      emailIndex: KeyedDigest(bytes: Array(repeating: 0x1D, count: 32), keyID: KeyID(rawValue: 3)),
                      passwordHash: SealedSecret(bytes: Array(repeating: 0xAB, count: 100), keyID: KeyID(rawValue: 1)),
                      createdAt: t0, secondFactorEnabled: true, lastLoginAt: t0.adding(seconds: 5))
    }

    private func session(_ suffix: String, user: UserID, digest: UInt8) -> SessionRecord {
        SessionRecord(id: SessionID(rawValue: "s_" + suffix), userID: user, tokenDigest: Array(repeating: digest, count: 32),
                      assurance: .secondFactor, method: .deviceKey, createdAt: t0, authenticatedAt: t0,
                      secondFactorAt: t0, lastActivityAt: t0.adding(seconds: 1), clientIP: "192.0.2.7", userAgent: "ua")
    }

    private func code(user: UserID, digest: UInt8) -> ActivationCodeRecord {
        ActivationCodeRecord(digest: KeyedDigest(bytes: Array(repeating: digest, count: 32), keyID: KeyID(rawValue: 4)),
                             userID: user, subject: "contract 1", createdAt: t0, expiresAt: t0.adding(seconds: 3600))
    }

    func testEverythingSurvivesReopeningTheFile() throws {
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        let max = try account("max", username: "Max")
        let live = session("a", user: max.id, digest: 0x51)
        var throttle = ThrottleState()
        for i in 0..<6 { throttle.recordFailure(now: t0.adding(seconds: Double(i)), policy: .accountDefault) }
        do {
            let db = try RiegelDatabase.open(in: try StateDirectory.prepare(at: temp.path))
            try SQLiteAccountStore(database: db).create(max)
            try SQLiteSessionStore(database: db).create(live)
            try SQLiteResetTokenStore(database: db).create(digest: Array(repeating: 0x77, count: 32), userID: max.id,
                                                           createdAt: t0, expiresAt: t0.adding(seconds: 3600))
            try SQLiteActivationCodeStore(database: db).create(code(user: max.id, digest: 0x66))
            try SQLiteThrottleStore(database: db).save(throttle, for: "account:max")
            try db.close()
        }
        let db = try RiegelDatabase.open(in: try StateDirectory.prepare(at: temp.path), integrityCheck: .full)
        defer { try? db.close() }
        var loggedIn = max
        loggedIn.lastLoginAt = live.createdAt  // the session's creation is the last login
        XCTAssertEqual(try SQLiteAccountStore(database: db).account(usernameKey: "max"), loggedIn)
        XCTAssertEqual(try SQLiteSessionStore(database: db).page(after: nil, limit: 10).filter { $0.revokedAt == nil }, [live])
        XCTAssertEqual(try SQLiteResetTokenStore(database: db).user(forDigest: Array(repeating: 0x77, count: 32),
                                                                   now: t0.adding(seconds: 1)), max.id)
        XCTAssertEqual(try SQLiteActivationCodeStore(database: db).countLive(keyID: KeyID(rawValue: 4), now: t0), 1)
        XCTAssertEqual(try SQLiteThrottleStore(database: db).state(for: "account:max"), throttle)
    }

    func testDeletingAUserCascadesToItsSessionsTokensAndCodesOnDisk() throws {
        let db = try onDisk()
        let accounts = SQLiteAccountStore(database: db)
        let max = try account("max", username: "Max")
        let eva = try account("eva", username: "Eva")
        try accounts.create(max)
        try accounts.create(eva)
        for (user, n) in [(max.id, UInt8(1)), (eva.id, UInt8(2))] {
            try SQLiteSessionStore(database: db).create(session("\(n)", user: user, digest: n))
            try SQLiteResetTokenStore(database: db).create(digest: Array(repeating: n, count: 32), userID: user,
                                                           createdAt: t0, expiresAt: t0.adding(seconds: 60))
            try SQLiteActivationCodeStore(database: db).create(code(user: user, digest: n))
        }
        XCTAssertTrue(try accounts.delete(id: max.id))
        let counts = try db.writer.read { conn in
            try ["session", "reset_token", "activation_code"].map { table in
                try Int.fetchOne(conn, sql: "SELECT COUNT(*) FROM \(table) WHERE user_id = ?", arguments: [max.id.rawValue])!
                    + 100 * Int.fetchOne(conn, sql: "SELECT COUNT(*) FROM \(table) WHERE user_id = ?",
                                         arguments: [eva.id.rawValue])!
            }
        }
        XCTAssertEqual(counts, [100, 100, 100], "max's rows gone, eva's one row per table kept")
        let violations = try db.writer.read { try Row.fetchAll($0, sql: "PRAGMA foreign_key_check") }
        XCTAssertEqual(violations.count, 0)
    }

    func testRowsForAnUnknownUserAreRefusedByTheForeignKey() throws {
        let db = try RiegelDatabase.inMemory()
        let nobody = UserID(rawValue: "u_nobody")
        XCTAssertThrowsError(try SQLiteSessionStore(database: db).create(session("x", user: nobody, digest: 1)))
        XCTAssertThrowsError(try SQLiteResetTokenStore(database: db).create(
            digest: [1], userID: nobody, createdAt: t0, expiresAt: t0.adding(seconds: 1)))
        XCTAssertThrowsError(try SQLiteActivationCodeStore(database: db).create(code(user: nobody, digest: 1)))
    }

    func testADuplicateUserIDIsNotReportedAsATakenUsername() throws {
        let db = try RiegelDatabase.inMemory()
        let accounts = SQLiteAccountStore(database: db)
        try accounts.create(try account("max", username: "Max"))
        XCTAssertThrowsError(try accounts.create(try account("max", username: "Other"))) { error in
            XCTAssertNotEqual(error as? AccountStoreError, .usernameTaken, "only the username index means 'taken'")
        }
    }

    func testConcurrentRegistrationsOfOneUsernameHaveOneWinner() throws {
        let db = try onDisk()
        let accounts = SQLiteAccountStore(database: db)
        let outcomes = Mutex<[Bool]>([])
        let variants = ["Max", "max", "MAX", "mAx", "maX", "\u{FF2D}ax", "MaX", "mAX"]
        let records = try variants.enumerated().map { try account("c\($0.offset)", username: $0.element) }
        DispatchQueue.concurrentPerform(iterations: records.count) { i in
            let won: Bool
            do {
                try accounts.create(records[i])
                won = true
            } catch {
                XCTAssertEqual(error as? AccountStoreError, .usernameTaken)
                won = false
            }
            outcomes.withLock { $0.append(won) }
        }
        XCTAssertEqual(outcomes.withLock { $0.filter { $0 }.count }, 1)
    }

    func testConcurrentConsumersOfOneResetTokenHaveOneWinner() throws {
        let db = try onDisk()
        let max = try account("max", username: "Max")
        try SQLiteAccountStore(database: db).create(max)
        let tokens = SQLiteResetTokenStore(database: db)
        let digest = Array(repeating: UInt8(9), count: 32)
        try tokens.create(digest: digest, userID: max.id, createdAt: t0, expiresAt: t0.adding(seconds: 600))
        let winners = Mutex(0)
        let now = t0.adding(seconds: 1)
        let user = max.id
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            if (try? tokens.consume(digest: digest, now: now)) == user {
                winners.withLock { $0 += 1 }
            }
        }
        XCTAssertEqual(winners.withLock { $0 }, 1)
    }

    func testSecondFactorStoresTheSealedPhoneAndIndexAndClearsThem() throws {
        let db = try RiegelDatabase.inMemory()
        let store = SQLiteAccountStore(database: db)
        let max = try account("max", username: "Max")
        try store.create(max)
        let sealed = SealedSecret(bytes: [9, 8, 7], keyID: KeyID(rawValue: 2))
        let index = KeyedDigest(bytes: [1, 2, 3], keyID: KeyID(rawValue: 3))
        try store.setSecondFactor(id: max.id, phone: (sealed, index))
        var stored = try XCTUnwrap(try store.account(id: max.id))
        XCTAssertEqual(stored.phone, sealed)
        XCTAssertEqual(stored.phoneIndex, index)
        XCTAssertTrue(stored.secondFactorEnabled)
        try store.setSecondFactor(id: max.id, phone: nil)
        stored = try XCTUnwrap(try store.account(id: max.id))
        XCTAssertNil(stored.phone)
        XCTAssertNil(stored.phoneIndex)
        XCTAssertFalse(stored.secondFactorEnabled)
    }

    func testStoredColumnsHoldOnlyWhatTheStoreWasGiven() throws {
        let db = try RiegelDatabase.inMemory()
        let max = try account("max", username: "Max")
        try SQLiteAccountStore(database: db).create(max)
        let row = try db.writer.read { try Row.fetchOne($0, sql: "SELECT * FROM user")! }
        XCTAssertEqual(row["email"] as Data?, Data(max.email!.bytes))
        XCTAssertEqual(row["email_key_id"] as Int64?, 2)
        XCTAssertEqual(row["email_index"] as Data?, Data(max.emailIndex!.bytes))
        XCTAssertEqual(row["email_index_key_id"] as Int64?, 3)
        XCTAssertEqual(row["password_hash"] as Data?, Data(max.passwordHash.bytes))
        XCTAssertEqual(row["password_key_id"] as Int64?, 1)
        XCTAssertEqual(row["username"] as String?, "Max")
        XCTAssertEqual(row["username_key"] as String?, max.username.canonicalKey)
        XCTAssertEqual(Set(row.columnNames), [
            "id", "username", "username_key", "email", "email_key_id", "email_index", "email_index_key_id",
            "password_hash", "password_key_id", "created_at", "second_factor", "locked_until", "last_login_at",
            "phone", "phone_key_id", "phone_index", "phone_index_key_id", "credential_generation",
        ])
        XCTAssertNil(row["phone"] as Data?, "no phone until an enrolment is verified")
        let tokenColumns = try db.writer.read { try Row.fetchAll($0, sql: "PRAGMA table_info(session)") }
            .map { $0["name"] as String }
        XCTAssertFalse(tokenColumns.contains("token"), "a session stores its token's digest only")
    }

    func testCorruptRowsAreReportedByIDNotContent() throws {
        let db = try RiegelDatabase.inMemory()
        try SQLiteAccountStore(database: db).create(try account("max", username: "Max"))
        try db.writer.write { conn in
            try conn.execute(sql: "UPDATE user SET username = 'a b' WHERE id = 'u_max'")
            try conn.execute(sql: "INSERT INTO throttle (key, state, updated_at) VALUES ('k', '{\"x\":1}', 0)")
        }
        XCTAssertThrowsError(try SQLiteAccountStore(database: db).account(id: UserID(rawValue: "u_max"))) { error in
            guard case RiegelStoreError.corruptRecord(let table, let detail) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(table, "user")
            XCTAssertTrue(detail.contains("u_max") && !detail.contains("a b"), detail)
        }
        XCTAssertThrowsError(try SQLiteThrottleStore(database: db).state(for: "k")) { error in
            guard case RiegelStoreError.corruptRecord("throttle", _) = error else { return XCTFail("\(error)") }
        }
    }

    func testSchemaRefusesBadEnumValuesAndHalfSealedColumns() throws {
        let db = try RiegelDatabase.inMemory()
        try SQLiteAccountStore(database: db).create(try account("max", username: "Max"))
        try db.writer.write { conn in
            XCTAssertThrowsError(try conn.execute(sql: "UPDATE user SET email_key_id = NULL"))
            XCTAssertThrowsError(try conn.execute(sql: "UPDATE user SET second_factor = 2"))
            XCTAssertThrowsError(try conn.execute(sql: "UPDATE user SET created_at = 'yesterday'"), "STRICT")
        }
        try SQLiteSessionStore(database: db).create(session("a", user: UserID(rawValue: "u_max"), digest: 1))
        try db.writer.write { conn in
            XCTAssertThrowsError(try conn.execute(sql: "UPDATE session SET assurance = 'telepathy'"))
            XCTAssertThrowsError(try conn.execute(sql: "UPDATE session SET method = 'magic'"))
        }
    }

    func testThrottleUpdatedAtIsTheDatabasesWallTime() throws {
        let db = try RiegelDatabase.inMemory()
        let before = Date().timeIntervalSince1970
        try SQLiteThrottleStore(database: db).save(ThrottleState(), for: "ip:192.0.2.1")
        let updated = try db.writer.read { try Double.fetchOne($0, sql: "SELECT updated_at FROM throttle")! }
        XCTAssertEqual(updated, before, accuracy: 5)
    }
}

/// The SMS stores on SQLite and in memory keep the same rules.
final class SQLiteSMSStoresTests: XCTestCase {
    func testSMSChallengeStoresPassTheConformanceSuite() throws {
        try SMSChallengeStoreConformance.run {
            let db = try RiegelDatabase.inMemory()
            return .init(store: SQLiteSMSChallengeStore(database: db), accounts: SQLiteAccountStore(database: db))
        }
        try SMSChallengeStoreConformance.run {
            .init(store: InMemorySMSChallengeStore(), accounts: InMemoryAccountStore(data: InMemoryStoreData()))
        }
    }

    /// On SQLite in memory and on disk (a pool: concurrent updates from
    /// several threads really contend), and the fake.
    func testSMSCounterStoresPassTheConformanceSuite() throws {
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        var made = 0
        for onDisk in [false, true] {
            try SMSCounterStoreConformance.run {
                made += 1
                let db = onDisk ? try RiegelDatabase.open(path: temp.path + "/riegel-\(made).sqlite")
                    : try RiegelDatabase.inMemory()
                return .init(store: SQLiteSMSCounterStore(database: db), accounts: SQLiteAccountStore(database: db),
                             storedWindow: { key in
                                 try db.writer.read {
                                     try String.fetchOne($0, sql: "SELECT sends FROM sms_send_window WHERE key = ?",
                                                         arguments: [key])
                                 }
                             },
                             storeWindowText: { key, text in
                                 try db.writer.write {
                                     try $0.execute(sql: "INSERT INTO sms_send_window (key, sends, updated_at) VALUES (?, ?, 0)",
                                                    arguments: [key, text])
                                 }
                             },
                             challenges: SQLiteSMSChallengeStore(database: db))
            }
        }
        try SMSCounterStoreConformance.run {
            let store = InMemorySMSCounterStore()
            return .init(store: store, accounts: InMemoryAccountStore(data: InMemoryStoreData()),
                         storedWindow: { try store.storedJSON($0) }, storeWindowText: { try store.storeJSON($1, for: $0) },
                         challenges: InMemorySMSChallengeStore())
        }
    }

    func testDeletingAnAccountTakesItsChallengesAndBudgetAlong() throws {
        let db = try RiegelDatabase.inMemory()
        let accounts = SQLiteAccountStore(database: db)
        let store = SQLiteSMSChallengeStore(database: db)
        let counters = SQLiteSMSCounterStore(database: db)
        let account = AccountRecord(
            id: UserID(rawValue: "u_gone"), username: try Username("gone"), email: nil, emailIndex: nil,
            passwordHash: SealedSecret(bytes: [1], keyID: KeyID(rawValue: 1)), createdAt: Instant(secondsSinceEpoch: 0))
        try accounts.create(account)
        let c = SMSChallenge.start(id: ChallengeID(rawValue: "c_1"), purpose: .login, userID: account.id, sessionID: nil,
                                   sealedPhone: SealedSecret(bytes: [2], keyID: KeyID(rawValue: 2)),
                                   codeDigest: KeyedDigest(bytes: [3], keyID: KeyID(rawValue: 4)),
                                   now: Instant(secondsSinceEpoch: 0))
        _ = try store.create(StoredChallenge(challenge: c),
                             message: QueuedSMS(challengeID: c.id, purpose: .login, countryCode: "49", payload: nil,
                                                createdAt: c.createdAt, expiresAt: c.expiresAt))
        try counters.updateBudget(of: account.id) { $0 = SecondFactorBudget() }
        try accounts.delete(id: account.id)
        XCTAssertNil(try store.challenge(id: c.id))
        XCTAssertNil(try counters.budget(of: account.id))
    }
}
