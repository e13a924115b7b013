import Foundation
import RiegelCore
import RiegelTesting
import XCTest

final class SecondFactorBudgetTests: XCTestCase {
    /// The rules below are worked in hours: a policy with a one-hour window
    /// (riegeld's default is three hours, checked on its own).
    static let hourly = try! SecondFactorBudgetPolicy(window: 3600)

    func testTheDefaultAllowsTenWrongCodesPerThreeHoursLockingThirtyMinutes() {
        let policy = SecondFactorBudgetPolicy.default
        XCTAssertEqual([policy.threshold], [10])
        XCTAssertEqual([policy.window, policy.lockDuration], [10_800, 1800])
    }

    private var clock = ManualClock()
    private let digester = FakeKeyedDigester()

    /// Ten wrong codes spread over most of an hour: the 30-minute lock
    /// outlasts the window, so it is the lock duration that counts.
    func testTenWrongCodesInAnHourLockTheSecondFactor() {
        var budget = SecondFactorBudget()
        for _ in 1...9 {
            XCTAssertNil(budget.recordFailure(now: clock.now(), policy: Self.hourly))
            XCTAssertNil(budget.check(now: clock.now()))
            clock.advance(seconds: 350)
        }
        let until = budget.recordFailure(now: clock.now(), policy: Self.hourly)
        XCTAssertEqual(until, clock.now().adding(seconds: 1800))
        XCTAssertEqual(budget.check(now: clock.now()), 1800)
        XCTAssertEqual(budget.error(now: clock.now()), .tooManyAttempts(retryAfterSeconds: 1800))
        clock.advance(seconds: 1799.5)
        XCTAssertEqual(budget.check(now: clock.now()), 1)
        clock.advance(seconds: 0.5)
        XCTAssertNil(budget.check(now: clock.now()))
    }

    /// Issue 11: ten quick wrong codes, then wait out the 30-minute lock and
    /// guess ten more: the lock used to clear the failures, so the budget
    /// allowed 20 guesses an hour. Now the lock lasts until the first of the
    /// ten is an hour old, and no hour ever holds more than ten.
    func testGuessingAgainWhenTheThirtyMinuteLockEndsGetsNoMoreThanTenCodesAnHour() {
        var budget = SecondFactorBudget()
        let start = clock.now()
        var checked: [Instant] = []
        // An attacker who guesses whenever the budget lets them, every 10 s, for 3 hours.
        while clock.now().seconds(since: start) < 3 * 3600 {
            if budget.check(now: clock.now()) == nil {
                checked.append(clock.now())
                budget.recordFailure(now: clock.now(), policy: Self.hourly)
            }
            clock.advance(seconds: 10)
        }
        XCTAssertTrue(checked.prefix(11).last!.seconds(since: start) >= 3600,
                      "the 11th guess waits until the first is an hour old, not for the 30-minute lock")
        for (i, t) in checked.enumerated() {
            let inHour = checked[i...].prefix { $0.seconds(since: t) < 3600 }.count
            XCTAssertLessThanOrEqual(inHour, 10, "\(inHour) wrong codes checked within an hour from \(t)")
        }
        XCTAssertEqual(checked.count, 30, "ten per hour over three hours")
    }

    func testWrongCodesOlderThanAnHourDoNotCount() {
        var budget = SecondFactorBudget()
        for _ in 1...9 { budget.recordFailure(now: clock.now(), policy: Self.hourly) }
        clock.advance(seconds: 3600)
        XCTAssertNil(budget.recordFailure(now: clock.now(), policy: Self.hourly))
        XCTAssertNil(budget.check(now: clock.now()))
    }

    /// Two logins' challenges (5 + 5 wrong codes): the budget is the
    /// account's, so the second challenge does not start from zero.
    func testBudgetIsNotResetByANewChallenge() {
        var budget = SecondFactorBudget()
        let random = SeededRandom()
        var refusedAt: Int?
        var wrongCodes = 0
        for _ in 1...3 {
            let id = ChallengeID.random(using: random)
            let code = OneTimeCode.generate(using: random)
            var challenge = SMSChallenge.start(
                id: id, purpose: .login, userID: UserID(rawValue: "u_1"), sessionID: nil,
                sealedPhone: SealedSecret(bytes: [0], keyID: KeyID(rawValue: 2)),
                codeDigest: digester.digest(code.digestMessage(challengeID: id), purpose: .otp), now: clock.now())
            for _ in 1...5 {
                if budget.check(now: clock.now()) != nil {
                    refusedAt = refusedAt ?? wrongCodes
                    continue
                }
                let wrong = code.digits == "000000" ? "111111" : "000000"
                let outcome = challenge.verify(codeMatches: challenge.codeMatches(wrong, digester: digester), now: clock.now())
                XCTAssertNotEqual(outcome, .verified)
                budget.recordFailure(now: clock.now(), policy: Self.hourly)
                wrongCodes += 1
                clock.advance(seconds: 10)
            }
        }
        XCTAssertEqual(wrongCodes, 10)
        XCTAssertEqual(refusedAt, 10)
        XCTAssertNotNil(budget.check(now: clock.now()))
    }

    func testOnlyUnlockOrTimeLiftsTheLock() throws {
        var budget = SecondFactorBudget()
        for _ in 1...10 { budget.recordFailure(now: clock.now(), policy: Self.hourly) }
        XCTAssertNotNil(budget.check(now: clock.now()))
        let decoded = try JSONDecoder().decode(SecondFactorBudget.self, from: JSONEncoder().encode(budget))
        XCTAssertEqual(decoded, budget)
        budget.unlock()
        XCTAssertNil(budget.check(now: clock.now()))
        XCTAssertTrue(budget.isDiscardable(now: clock.now(), policy: Self.hourly))
    }

    func testBudgetPolicyIsConfigurableAndChecked() throws {
        let policy = try SecondFactorBudgetPolicy(threshold: 3, window: 60, lockDuration: 120)
        var budget = SecondFactorBudget()
        budget.recordFailure(now: clock.now(), policy: policy)
        budget.recordFailure(now: clock.now(), policy: policy)
        XCTAssertNotNil(budget.recordFailure(now: clock.now(), policy: policy))
        XCTAssertEqual(budget.check(now: clock.now()), 120)
        XCTAssertThrowsError(try SecondFactorBudgetPolicy(threshold: 0))
        XCTAssertThrowsError(try SecondFactorBudgetPolicy(window: .nan))
    }
}
