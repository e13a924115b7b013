import Foundation
import RiegelCore
@testable import RiegelPostgres
import RiegelTesting
import XCTest

/// Counters shared by several riegeld instances stay exact: concurrent
/// updates through two pools on one database lose nothing.
final class PostgresSharedCounterTests: PostgresTestCase {
    /// 40 wrong passwords at once, spread over two instances' pools, count 40.
    func testFortyConcurrentFailuresOverTwoPoolsCountForty() throws {
        let first = try makeDatabase()
        let stores = [PostgresThrottleStore(database: first), PostgresThrottleStore(database: try reopen(first))]
        let roomy = try ThrottlePolicy(delayThreshold: 1000, lockout: .init(threshold: 1000))
        let t0 = Instant(secondsSinceEpoch: 1_767_225_600)
        let failures = Counter()
        DispatchQueue.concurrentPerform(iterations: 40) { i in
            do {
                try stores[i % 2].update(["account:max", "ip:192.0.2.1"]) { states in
                    _ = states[0].recordFailure(now: t0.adding(seconds: Double(i)), policy: roomy)
                    _ = states[1].recordFailure(now: t0.adding(seconds: Double(i)), policy: roomy)
                }
            } catch {
                _ = failures.next()
            }
        }
        XCTAssertEqual(failures.next(), 1, "no update may fail")
        XCTAssertEqual(try stores[0].state(for: "account:max")?.failures.count, 40)
        XCTAssertEqual(try stores[1].state(for: "ip:192.0.2.1")?.failures.count, 40)
    }

    /// Updates of a key that has no row yet race to create it: 16 threads
    /// released at once on fresh keys count 16, and after the row is removed
    /// (housekeeping) the next 16 count 16 again. (A key with a row is locked
    /// by the row, one without by an advisory lock and a second read.)
    func testUpdatesRacingToCreateAKeysRowCountEveryOne() throws {
        let first = try makeDatabase()
        let stores = [PostgresThrottleStore(database: first), PostgresThrottleStore(database: try reopen(first))]
        let roomy = try ThrottlePolicy(delayThreshold: 1000, lockout: .init(threshold: 1000))
        let t0 = Instant(secondsSinceEpoch: 1_767_225_600)
        for round in 0..<2 {
            let keys = ["account:new", "ip:198.51.100.7"]
            let failed = race(16) { i in
                try stores[i % 2].update(keys) { states in
                    for k in states.indices {
                        _ = states[k].recordFailure(now: t0.adding(seconds: Double(i)), policy: roomy)
                    }
                }
            }
            XCTAssertEqual(failed, 0, "no update may fail (round \(round))")
            for key in keys {
                XCTAssertEqual(try stores[0].state(for: key)?.failures.count, 16, "\(key), round \(round)")
                try stores[1].remove(key)
                XCTAssertNil(try stores[0].state(for: key))
            }
        }
    }

    /// SMS sends at once over two instances' pools against a cap: exactly
    /// the cap goes through (each take checks and records in one locked
    /// update), on a key that had no row yet and on one that had.
    func testSMSSendCapsHoldAcrossTwoPools() throws {
        let first = try makeDatabase()
        let stores = [PostgresSMSCounterStore(database: first), PostgresSMSCounterStore(database: try reopen(first))]
        let t0 = Instant(secondsSinceEpoch: 1_767_225_600)
        for (round, cap) in [(0, 15), (1, 30)] {
            let allowed = Counter()
            let failed = race(40) { i in
                let now = t0.adding(seconds: Double(round * 100 + i))
                let took = try stores[i % 2].updateSendWindows(["global", "country:49"], now: now) { windows in
                    let current = windows.map { $0 ?? SMSSendWindow() }
                    guard current.allSatisfy({ $0.retryAfter(now: now, cap: cap, window: 3600) == nil })
                    else { return false }
                    windows = current.map { var w = $0; w.record(now: now, window: 3600); return w }
                    return true
                }
                if took { _ = allowed.next() }
            }
            XCTAssertEqual(failed, 0, "no update may fail (round \(round))")
            XCTAssertEqual(allowed.next() - 1, 15, "round \(round): the 15 slots left under the cap, no more")
            XCTAssertEqual(try stores[0].sendWindow("global")?.count(now: t0.adding(seconds: 200), window: 3600), cap)
        }
    }

    /// A token consumed on one instance cannot be consumed on the other.
    func testAResetTokenIsConsumedOnceAcrossTwoPools() throws {
        let first = try makeDatabase()
        let second = try reopen(first)
        let user = UserID(rawValue: "u_max")
        try PostgresAccountStore(database: first).create(AccountRecord(
            id: user, username: try Username("max"), email: nil, emailIndex: nil,
            passwordHash: SealedSecret(bytes: [1, 2, 3], keyID: KeyID(rawValue: 1)),
            createdAt: Instant(secondsSinceEpoch: 1_767_225_600)))
        let digest = [UInt8](repeating: 7, count: 32)
        let now = Instant(secondsSinceEpoch: 1_767_225_700)
        try PostgresResetTokenStore(database: first).create(digest: digest, userID: user, createdAt: now,
                                                            expiresAt: now.adding(seconds: 600))
        let stores = [PostgresResetTokenStore(database: first), PostgresResetTokenStore(database: second)]
        let wins = Counter()
        DispatchQueue.concurrentPerform(iterations: 10) { i in
            if let user = try? stores[i % 2].consume(digest: digest, now: now), user != nil {
                _ = wins.next()
            }
        }
        XCTAssertEqual(wins.next(), 2, "exactly one consume may win")
    }

    /// Two instances' stores of the SMS verification (budget + challenge) on one database.
    private func twoSMSInstances() throws -> [SMSCounterStoreConformance.Subject] {
        let first = try makeDatabase()
        return try [first, try reopen(first)].map { db in
            SMSCounterStoreConformance.Subject(
                store: PostgresSMSCounterStore(database: db), accounts: PostgresAccountStore(database: db),
                storedWindow: { _ in nil }, storeWindowText: { _, _ in },
                challenges: PostgresSMSChallengeStore(database: db))
        }
    }

    private func makeAccount(_ subject: SMSCounterStoreConformance.Subject) throws -> UserID {
        let user = UserID(rawValue: "u_max")
        try subject.accounts.create(AccountRecord(
            id: user, username: try Username("max"), email: nil, emailIndex: nil,
            passwordHash: SealedSecret(bytes: [1, 2, 3], keyID: KeyID(rawValue: 1)),
            createdAt: Instant(secondsSinceEpoch: 1_767_225_600)))
        return user
    }

    /// Runs `body(i)` on `n` threads released at once; returns how many threw.
    private func race(_ n: Int, _ body: @escaping @Sendable (Int) throws -> Void) -> Int {
        let failures = Counter()
        let go = DispatchSemaphore(value: 0)
        let group = DispatchGroup()
        for i in 0..<n {
            group.enter()
            Thread {
                defer { group.leave() }
                go.wait()
                do { try body(i) } catch { _ = failures.next() }
            }.start()
        }
        for _ in 0..<n { go.signal() }
        group.wait()
        return failures.next() - 1
    }

    /// One right SMS code sent to both instances at once (issue 17): exactly
    /// one verification wins, the others find the challenge used.
    func testARightSMSCodeVerifiesOnceAcrossTwoPools() throws {
        let instances = try twoSMSInstances()
        let user = try makeAccount(instances[0])
        let id = try SMSCounterStoreConformance.storedChallenge(instances[0], user: user, attempts: 5)
        let now = SMSCounterStoreConformance.afterStart(60)
        let verified = Counter()
        let used = Counter()
        let failed = race(20) { i in
            switch try SMSCounterStoreConformance.verifyOnce(instances[i % 2], id, user: user, right: true, now: now) {
            case .verified?: _ = verified.next()
            case .alreadyUsed?: _ = used.next()
            default: break
            }
        }
        XCTAssertEqual(failed, 0, "no verification may fail")
        XCTAssertEqual(verified.next() - 1, 1, "exactly one of 20 right answers over two instances may verify")
        XCTAssertEqual(used.next() - 1, 19, "the others find the challenge used")
    }

    /// Wrong SMS codes spread over two instances: the challenge's attempts
    /// and the account's budget (no row yet: the advisory lock) count each.
    func testWrongSMSCodesOverTwoPoolsCountEveryOne() throws {
        let instances = try twoSMSInstances()
        let user = try makeAccount(instances[0])
        let attempts = 24
        let id = try SMSCounterStoreConformance.storedChallenge(instances[0], user: user, attempts: attempts)
        let now = SMSCounterStoreConformance.afterStart(60)
        let failed = race(32) { i in
            _ = try SMSCounterStoreConformance.verifyOnce(instances[i % 2], id, user: user, right: false, now: now)
        }
        XCTAssertEqual(failed, 0, "no verification may fail")
        let stored = try instances[1].challenges.challenge(id: id)?.challenge
        XCTAssertEqual(stored?.attemptsLeft, 0)
        XCTAssertEqual(stored?.state, .failed)
        XCTAssertEqual(try instances[1].store.budget(of: user)?.failures.count, attempts,
                       "the budget counts each of the \(attempts) compared wrong codes")
    }
}
