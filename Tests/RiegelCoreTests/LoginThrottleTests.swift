import RiegelCore
import RiegelTesting
import XCTest

final class LoginThrottleTests: XCTestCase {
    private let throttle = try! LoginThrottle()
    private let clock = ManualClock()

    func testSuccessResetsAccountCounterButNotIP() {
        var account = ThrottleState()
        var client: ThrottleState? = ThrottleState()
        for _ in 1...4 { throttle.recordFailure(account: &account, client: &client, now: clock.now()) }
        throttle.recordSuccess(account: &account)
        XCTAssertEqual(account.failures, [])
        XCTAssertEqual(client?.failures.count, 4)

        let events = throttle.recordFailure(account: &account, client: &client, now: clock.now())
        XCTAssertEqual(events.account, [])
        XCTAssertEqual(events.client, [.delayEngaged(retryAfter: 1, until: clock.now().adding(seconds: 1))])
        XCTAssertEqual(account.check(now: clock.now()), .allowed)
        XCTAssertEqual(throttle.check(account: account, client: client, now: clock.now()), .delayed(retryAfter: 1))
    }

    func testClientAddressIsDelayedButNeverLocked() {
        var client: ThrottleState? = ThrottleState()
        for _ in 1...50 {
            var account = ThrottleState()  // a spray: a different account each time
            let events = throttle.recordFailure(account: &account, client: &client, now: clock.now())
            XCTAssertEqual(events.account, [])
            XCTAssertFalse(events.client.contains { if case .locked = $0 { true } else { false } })
            clock.advance(seconds: 1)
        }
        XCTAssertEqual(client?.check(now: clock.now()), .delayed(retryAfter: 900 - 1))
        XCTAssertNil(client?.lockedUntil)
    }

    func testAccountLockWinsOverClientDelay() {
        var account = ThrottleState()
        var client: ThrottleState? = ThrottleState()
        for _ in 1...20 { throttle.recordFailure(account: &account, client: &client, now: clock.now()) }
        let until = clock.now().adding(seconds: 1800)
        XCTAssertEqual(throttle.check(account: account, client: client, now: clock.now()), .locked(until: until))
    }

    func testMissingClientInfoThrottlesByAccountOnly() {
        var account = ThrottleState()
        var client: ThrottleState? = nil
        for _ in 1...5 { throttle.recordFailure(account: &account, client: &client, now: clock.now()) }
        XCTAssertNil(client)
        XCTAssertEqual(throttle.check(account: account, client: nil, now: clock.now()), .delayed(retryAfter: 1))
    }

    func testClientPolicyWithLockoutIsRefused() throws {
        let withLockout = try ThrottlePolicy(lockout: ThrottlePolicy.Lockout())
        XCTAssertThrowsError(try LoginThrottle(clientPolicy: withLockout)) {
            XCTAssertEqual($0 as? ThrottlePolicyError, .lockoutNotAllowedForClientAddress)
        }
    }

    func testAccountAndClientThresholdsAreConfiguredSeparately() throws {
        let lenientClient = try ThrottlePolicy(delayThreshold: 50, lockout: nil)
        let custom = try LoginThrottle(clientPolicy: lenientClient)
        var account = ThrottleState()
        var client: ThrottleState? = ThrottleState()
        for _ in 1...5 { custom.recordFailure(account: &account, client: &client, now: clock.now()) }
        XCTAssertEqual(account.check(now: clock.now()), .delayed(retryAfter: 1))
        XCTAssertEqual(client?.check(now: clock.now()), .allowed)
    }

    func testCombinedDecisionIsTheMoreRestrictive() {
        let t = clock.now()
        XCTAssertEqual(ThrottleDecision.allowed.combined(with: .delayed(retryAfter: 3)), .delayed(retryAfter: 3))
        XCTAssertEqual(ThrottleDecision.delayed(retryAfter: 9).combined(with: .delayed(retryAfter: 3)), .delayed(retryAfter: 9))
        XCTAssertEqual(ThrottleDecision.delayed(retryAfter: 9).combined(with: .locked(until: t)), .locked(until: t))
        XCTAssertEqual(
            ThrottleDecision.locked(until: t).combined(with: .locked(until: t.adding(seconds: 5))),
            .locked(until: t.adding(seconds: 5))
        )
        XCTAssertTrue(ThrottleDecision.allowed.combined(with: .allowed).isAllowed)
    }

    func testHorizonIsTheLongestWindowDelayOrLockoutOfEitherPolicy() throws {
        XCTAssertEqual(throttle.horizon, 3600, "defaults: the 1 h lockout window")
        let long = try LoginThrottle(
            accountPolicy: ThrottlePolicy(lockout: .init(threshold: 20, window: 3600, duration: 86400)),
            clientPolicy: ThrottlePolicy(delayWindow: 7200, lockout: nil))
        XCTAssertEqual(long.horizon, 86400, "a day-long lockout must outlive the purge")
        let client = try LoginThrottle(clientPolicy: ThrottlePolicy(delayWindow: 900, maximumDelay: 10800, lockout: nil))
        XCTAssertEqual(client.horizon, 10800)
    }

    // MARK: reservations (issue 11, item 2)

    /// Guesses in flight at once are each counted when they start, so the
    /// check after the limit refuses before any hash, and the lock engages
    /// exactly where sequential failures engage it.
    func testGuessesInFlightAtOnceAreEachCountedAndTheLimitRefusesTheRest() {
        var account = ThrottleState()
        var client: ThrottleState?
        var reserved = 0
        var refused: [ThrottleDecision] = []
        for _ in 1...30 {  // 30 guesses start before any of them finished
            let (decision, reservation) = throttle.reserve(account: &account, client: &client, now: clock.now())
            if reservation != nil { reserved += 1 } else { refused.append(decision) }
        }
        // The 5th engages the delay: the rest are refused before hashing.
        XCTAssertEqual(reserved, 5)
        XCTAssertEqual(refused.count, 25)
        XCTAssertEqual(refused.first, .delayed(retryAfter: 1))
        XCTAssertEqual(account.failures.count, 5)

        var roomy = ThrottleState()
        let noDelays = try! LoginThrottle(accountPolicy: ThrottlePolicy(delayThreshold: 1000,
                                                                         lockout: .init(threshold: 40)))
        var admitted = 0
        for _ in 1...50 {
            if noDelays.reserve(account: &roomy, client: &client, now: clock.now()).reservation != nil { admitted += 1 }
        }
        XCTAssertEqual(admitted, 40)
        XCTAssertTrue(roomy.isLocked(now: clock.now()))
    }

    /// The right password at the 20th attempt: its own reservation engaged the
    /// lock; the success takes it back, as if the attempt had never been a failure.
    func testRightPasswordAtTheLockoutThresholdIsNotLockedByItsOwnReservation() {
        var account = ThrottleState()
        var client: ThrottleState? = ThrottleState()
        for _ in 1...19 {
            throttle.recordFailure(account: &account, client: &client, now: clock.now())
            clock.advance(seconds: 100)
        }
        XCTAssertEqual(throttle.check(account: account, client: nil, now: clock.now()), .allowed)
        let clientBefore = client
        let (_, reservation) = throttle.reserve(account: &account, client: &client, now: clock.now())
        XCTAssertTrue(account.isLocked(now: clock.now()), "counted as the 20th failure")
        throttle.recordSuccess(after: reservation!, account: &account, client: &client)
        XCTAssertFalse(account.isLocked(now: clock.now()))
        XCTAssertEqual(account.failures, [])
        XCTAssertEqual(client?.nextAllowedAt, clientBefore?.nextAllowedAt, "the client address gets its delay back")
        XCTAssertEqual(client?.failures.last, clientBefore?.failures.last, "and its failure (the rest stay)")
        XCTAssertFalse(client!.failures.contains(reservation!.at))
    }

    /// A refund (no verdict, or a re-check that must not reset the account)
    /// gives back one failure and what it engaged, but not what a later
    /// failure engaged meanwhile.
    func testRefundTakesBackOnlyWhatTheReservationDid() {
        var account = ThrottleState()
        var client: ThrottleState?
        for _ in 1...3 { throttle.recordFailure(account: &account, client: &client, now: clock.now()) }
        let before = account
        let (_, first) = throttle.reserve(account: &account, client: &client, now: clock.now())  // 4th
        throttle.refund(first!, account: &account, client: &client)
        XCTAssertEqual(account, before)

        let (_, fourth) = throttle.reserve(account: &account, client: &client, now: clock.now())
        clock.advance(seconds: 0.5)
        let (_, fifth) = throttle.reserve(account: &account, client: &client, now: clock.now())  // engages the delay
        XCTAssertNotNil(fourth)
        XCTAssertNotNil(fifth)
        throttle.refund(fourth!, account: &account, client: &client)
        XCTAssertEqual(account.failures.count, 4)
        XCTAssertEqual(account.check(now: clock.now()), .delayed(retryAfter: 1), "the fifth's delay stays")
    }
}
