import Foundation
import RiegelCore
import RiegelTesting
import XCTest

final class ThrottleStateTests: XCTestCase {
    private let policy = ThrottlePolicy.accountDefault
    private var clock = ManualClock()
    private var state = ThrottleState()

    override func setUp() {
        clock = ManualClock()
        state = ThrottleState()
    }

    private func fail() -> [ThrottleEvent] {
        state.recordFailure(now: clock.now(), policy: policy)
    }

    func testFourFailuresWithinWindowDoNotDelay() {
        for _ in 1...4 {
            XCTAssertEqual(fail(), [])
            XCTAssertEqual(state.check(now: clock.now()), .allowed)
        }
    }

    func testFifthFailureWithinWindowDelaysOneSecondAndDoublesAfter() {
        for _ in 1...4 { _ = fail() }
        var expected = 1
        for _ in 5...12 {
            let now = clock.now()
            XCTAssertEqual(fail(), [.delayEngaged(retryAfter: expected, until: now.adding(seconds: Double(expected)))])
            XCTAssertEqual(state.check(now: now), .delayed(retryAfter: expected))
            clock.advance(seconds: Double(expected) - 0.5)
            XCTAssertEqual(state.check(now: clock.now()), .delayed(retryAfter: 1))
            clock.advance(seconds: 0.5)
            XCTAssertEqual(state.check(now: clock.now()), .allowed)
            expected *= 2
        }
    }

    func testDelayDoublesUpToFifteenMinutesAndNoFurther() {
        XCTAssertNil(policy.delay(afterFailuresInWindow: 4))
        XCTAssertEqual(policy.delay(afterFailuresInWindow: 5), 1)
        XCTAssertEqual(policy.delay(afterFailuresInWindow: 6), 2)
        XCTAssertEqual(policy.delay(afterFailuresInWindow: 14), 512)
        XCTAssertEqual(policy.delay(afterFailuresInWindow: 15), 900)
        XCTAssertEqual(policy.delay(afterFailuresInWindow: 1_000_000), 900)
        // Driven through the state: failures recorded back to back (racing
        // requests) cap at 15 minutes too.
        for _ in 1...19 { _ = fail() }
        XCTAssertEqual(state.check(now: clock.now()), .delayed(retryAfter: 900))
    }

    func testFailuresOutsideWindowAreForgotten() {
        for _ in 1...4 { _ = fail() }
        clock.advance(seconds: 900)  // exactly 15 minutes: outside the window
        XCTAssertEqual(fail(), [])
        XCTAssertEqual(state.check(now: clock.now()), .allowed)
        clock.advance(seconds: 3600)
        _ = fail()
        XCTAssertEqual(state.failures, [clock.now()])  // older ones pruned
    }

    func testTwentyFailuresInAnHourLockAccountForThirtyMinutes() {
        // One failure every 3 minutes: the 20th comes 57 minutes after the first.
        for attempt in 1...20 {
            XCTAssertEqual(state.check(now: clock.now()), .allowed, "attempt \(attempt)")
            let events = fail()
            if attempt < 20 {
                XCTAssertFalse(events.contains { if case .locked = $0 { true } else { false } }, "attempt \(attempt)")
                clock.advance(seconds: 180)
            } else {
                let until = clock.now().adding(seconds: 1800)
                XCTAssertEqual(events, [.locked(until: until)])
                XCTAssertEqual(state.lockedUntil, until)
                XCTAssertEqual(state.check(now: clock.now()), .locked(until: until))
            }
        }
    }

    func testAttackerWhoWaitsOutEveryDelayIsLockedAtTheTwentiethFailure() {
        var failures = 0
        var lockEvents: [ThrottleEvent] = []
        while lockEvents.isEmpty, failures < 100 {
            switch state.check(now: clock.now()) {
            case .delayed(let retryAfter):
                clock.advance(seconds: Double(retryAfter))
            case .locked:
                XCTFail("locked without an event")
                return
            case .allowed:
                failures += 1
                lockEvents = fail().filter { if case .locked = $0 { true } else { false } }
                clock.advance(seconds: 1)
            }
        }
        XCTAssertEqual(failures, 20)
        XCTAssertLessThan(clock.now().seconds(since: ManualClock().now()), 3600)
    }

    func testTwentyFailuresSpreadOverMoreThanAnHourDoNotLock() {
        for _ in 1...20 {
            XCTAssertFalse(fail().contains { if case .locked = $0 { true } else { false } })
            clock.advance(seconds: 190)  // 19 gaps × 190 s = 3610 s
        }
        XCTAssertFalse(state.isLocked(now: clock.now()))
    }

    func testLockoutIsTemporary() {
        for _ in 1...20 { _ = fail() }
        let lockedAt = clock.now()
        clock.advance(seconds: 1799)
        XCTAssertEqual(state.check(now: clock.now()), .locked(until: lockedAt.adding(seconds: 1800)))
        clock.advance(seconds: 1)
        XCTAssertEqual(state.check(now: clock.now()), .allowed)
        XCTAssertFalse(state.isLocked(now: clock.now()))
    }

    func testFailureWhileLockedDoesNotExtendTheLock() {
        for _ in 1...20 { _ = fail() }
        let until = state.lockedUntil
        clock.advance(seconds: 60)
        XCTAssertEqual(fail(), [])
        XCTAssertEqual(state.lockedUntil, until)
    }

    func testAdminUnlockClearsLockDelayAndFailures() {
        for _ in 1...20 { _ = fail() }
        state.unlock()
        XCTAssertEqual(state, ThrottleState())
        XCTAssertEqual(state.check(now: clock.now()), .allowed)
        XCTAssertEqual(fail(), [])
    }

    func testSuccessForgetsFailuresAndDelayButNotAnActiveLock() {
        for _ in 1...6 { _ = fail() }
        state.recordSuccess()
        XCTAssertEqual(state.check(now: clock.now()), .allowed)
        XCTAssertEqual(state.failures, [])
        for _ in 1...20 { _ = fail() }
        state.recordSuccess()
        XCTAssertTrue(state.isLocked(now: clock.now()))
    }

    func testRetryAfterIsWholeSecondsRoundedUp() throws {
        let odd = try ThrottlePolicy(delayThreshold: 1, initialDelay: 1.5, lockout: nil)
        XCTAssertEqual(state.recordFailure(now: clock.now(), policy: odd).first,
                       .delayEngaged(retryAfter: 2, until: clock.now().adding(seconds: 1.5)))
        clock.advance(seconds: 1.4)
        XCTAssertEqual(state.check(now: clock.now()), .delayed(retryAfter: 1))
    }

    func testStateStaysBoundedUnderAFlood() {
        for _ in 1...10_000 { _ = fail() }
        XCTAssertLessThanOrEqual(state.failures.count, 20)
        XCTAssertTrue(state.isLocked(now: clock.now()))
    }

    func testStateSurvivesARestartThroughCodable() throws {
        for _ in 1...7 { _ = fail() }
        let data = try JSONEncoder().encode(state)
        let restored = try JSONDecoder().decode(ThrottleState.self, from: data)
        XCTAssertEqual(restored, state)
        XCTAssertEqual(restored.check(now: clock.now()), .delayed(retryAfter: 4))
    }

    func testDecodingSortsFailuresWhateverTheStoreHeld() throws {
        let json = #"{"failures":[{"secondsSinceEpoch":20},{"secondsSinceEpoch":10}]}"#
        let decoded = try JSONDecoder().decode(ThrottleState.self, from: Data(json.utf8))
        XCTAssertEqual(decoded.failures.map(\.secondsSinceEpoch), [10, 20])
        XCTAssertNil(decoded.lockedUntil)
    }

    func testStateIsDiscardableOnceNothingInItMattersAnyMore() {
        XCTAssertTrue(state.isDiscardable(now: clock.now(), policy: policy))
        _ = fail()
        XCTAssertFalse(state.isDiscardable(now: clock.now(), policy: policy))
        clock.advance(seconds: 3600)
        XCTAssertTrue(state.isDiscardable(now: clock.now(), policy: policy))
    }

    func testPolicyRefusesSettingsThatWouldNeverThrottle() {
        XCTAssertThrowsError(try ThrottlePolicy(delayThreshold: 0, lockout: nil)) {
            XCTAssertEqual($0 as? ThrottlePolicyError, .nonPositive(setting: "delay threshold"))
        }
        XCTAssertThrowsError(try ThrottlePolicy(delayWindow: 0, lockout: nil))
        XCTAssertThrowsError(try ThrottlePolicy(initialDelay: 0, lockout: nil))
        XCTAssertThrowsError(try ThrottlePolicy(initialDelay: 10, maximumDelay: 5, lockout: nil)) {
            XCTAssertEqual($0 as? ThrottlePolicyError, .maximumDelayBelowInitial(initial: 10, maximum: 5))
        }
        XCTAssertThrowsError(try ThrottlePolicy(maximumDelay: .infinity, lockout: nil)) {
            XCTAssertEqual($0 as? ThrottlePolicyError, .notFinite(setting: "delay"))
        }
        XCTAssertThrowsError(try ThrottlePolicy(delayWindow: .nan, lockout: nil))
        XCTAssertThrowsError(try ThrottlePolicy.Lockout(duration: .infinity))
        XCTAssertThrowsError(try ThrottlePolicy.Lockout(threshold: 0))
        XCTAssertThrowsError(try ThrottlePolicy.Lockout(duration: -1))
    }

    func testDefaultsMatchSecurityRuleFour() throws {
        XCTAssertEqual(policy.delayThreshold, 5)
        XCTAssertEqual(policy.delayWindow, 900)
        XCTAssertEqual(policy.initialDelay, 1)
        XCTAssertEqual(policy.maximumDelay, 900)
        let lockout = try XCTUnwrap(policy.lockout)
        XCTAssertEqual([lockout.threshold], [20])
        XCTAssertEqual([lockout.window, lockout.duration], [3600, 1800])
        XCTAssertNil(ThrottlePolicy.clientAddressDefault.lockout)
    }
}
