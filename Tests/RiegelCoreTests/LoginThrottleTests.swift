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
}
