import Foundation
import RiegelCore
import RiegelTesting
import XCTest

final class SMSChallengeTests: XCTestCase {
    private var clock = ManualClock()
    private var random = SeededRandom()
    private let digester = FakeKeyedDigester()
    private let phone = SealedSecret(bytes: [1, 2, 3], keyID: KeyID(rawValue: 2))

    override func setUp() {
        clock = ManualClock()
        random = SeededRandom()
    }

    private func start(purpose: ChallengePurpose = .login) -> (SMSChallenge, OneTimeCode) {
        let id = ChallengeID.random(using: random)
        let code = OneTimeCode.generate(using: random)
        let challenge = SMSChallenge.start(
            id: id, purpose: purpose, userID: UserID(rawValue: "u_1"), sessionID: nil, sealedPhone: phone,
            codeDigest: digester.digest(code.digestMessage(challengeID: id), purpose: .otp), now: clock.now())
        return (challenge, code)
    }

    private func newCode(for challenge: SMSChallenge) -> (OneTimeCode, KeyedDigest) {
        let code = OneTimeCode.generate(using: random)
        return (code, digester.digest(code.digestMessage(challengeID: challenge.id), purpose: .otp))
    }

    private func wrongCode(_ code: OneTimeCode) -> String {
        code.digits == "000000" ? "111111" : "000000"
    }

    func testRightCodeVerifies() {
        var (challenge, code) = start()
        XCTAssertTrue(challenge.codeMatches(code.digits, digester: digester))
        XCTAssertEqual(challenge.verify(codeMatches: true, now: clock.now()), .verified)
        XCTAssertEqual(challenge.state, .verified)
    }

    func testFiveWrongAttemptsExhaustTheChallenge() {
        var (challenge, code) = start()
        for left in [4, 3, 2, 1] {
            let matches = challenge.codeMatches(wrongCode(code), digester: digester)
            XCTAssertEqual(challenge.verify(codeMatches: matches, now: clock.now()), .wrong(attemptsLeft: left))
        }
        XCTAssertEqual(challenge.verify(codeMatches: false, now: clock.now()), .exhausted)
        XCTAssertEqual(challenge.state, .failed)
        // Even the right code does not help now.
        XCTAssertEqual(challenge.verify(codeMatches: challenge.codeMatches(code.digits, digester: digester), now: clock.now()), .exhausted)
        XCTAssertEqual(ChallengeVerifyOutcome.exhausted.error, .invalidCode(attemptsLeft: 0))
    }

    func testMalformedCodeCountsAsWrong() {
        var (challenge, _) = start()
        XCTAssertFalse(challenge.codeMatches("12x456", digester: digester))
        XCTAssertFalse(challenge.codeMatches("1234567", digester: digester))
        XCTAssertEqual(challenge.verify(codeMatches: false, now: clock.now()), .wrong(attemptsLeft: 4))
    }

    func testChallengeExpiresAfterFiveMinutes() {
        var (challenge, _) = start()
        XCTAssertEqual(challenge.expiresAt, clock.now().adding(seconds: 300))
        clock.advance(seconds: 299)
        XCTAssertEqual(challenge.state(at: clock.now()), .pending)
        var copy = challenge
        XCTAssertEqual(copy.verify(codeMatches: true, now: clock.now()), .verified)
        clock.advance(seconds: 1)
        XCTAssertEqual(challenge.state(at: clock.now()), .expired)
        XCTAssertEqual(challenge.verify(codeMatches: true, now: clock.now()), .expired)
        XCTAssertEqual(challenge.state, .expired)
        XCTAssertEqual(ChallengeVerifyOutcome.expired.error, .challengeExpired)
        XCTAssertTrue(challenge.isDiscardable(now: clock.now()))
    }

    func testCodeIsSingleUse() {
        var (challenge, _) = start()
        XCTAssertEqual(challenge.verify(codeMatches: true, now: clock.now()), .verified)
        XCTAssertEqual(challenge.verify(codeMatches: true, now: clock.now()), .alreadyUsed)
        XCTAssertEqual(challenge.verify(codeMatches: false, now: clock.now()), .alreadyUsed)
        let (_, digest) = newCode(for: challenge)
        clock.advance(seconds: 60)
        XCTAssertEqual(challenge.resend(newDigest: digest, now: clock.now()), .closed)
    }

    func testResendBeforeThirtySecondsIsTooSoon() {
        var (challenge, _) = start()
        XCTAssertEqual(challenge.resendAfter, clock.now().adding(seconds: 30))
        let (_, digest) = newCode(for: challenge)
        clock.advance(seconds: 1)
        XCTAssertEqual(challenge.resend(newDigest: digest, now: clock.now()), .tooSoon(retryAfter: 29))
        clock.advance(seconds: 28.5)
        XCTAssertEqual(challenge.resend(newDigest: digest, now: clock.now()), .tooSoon(retryAfter: 1))
        XCTAssertEqual(challenge.resendCount, 0)
        clock.advance(seconds: 0.5)
        XCTAssertEqual(challenge.resend(newDigest: digest, now: clock.now()), .sent)
        XCTAssertEqual(challenge.resendAfter, clock.now().adding(seconds: 30))
    }

    func testAtMostThreeResends() {
        var (challenge, _) = start()
        for count in 1...3 {
            clock.advance(seconds: 30)
            XCTAssertEqual(challenge.resend(newDigest: newCode(for: challenge).1, now: clock.now()), .sent)
            XCTAssertEqual(challenge.resendCount, count)
        }
        clock.advance(seconds: 30)
        XCTAssertEqual(challenge.resend(newDigest: newCode(for: challenge).1, now: clock.now()), .limitReached)
        XCTAssertEqual(challenge.resendCount, 3)
    }

    func testResendInvalidatesThePreviousCode() {
        var (challenge, first) = start()
        clock.advance(seconds: 30)
        let (second, digest) = newCode(for: challenge)
        XCTAssertNotEqual(first, second)
        XCTAssertEqual(challenge.resend(newDigest: digest, now: clock.now()), .sent)
        XCTAssertFalse(challenge.codeMatches(first.digits, digester: digester))
        XCTAssertTrue(challenge.codeMatches(second.digits, digester: digester))
    }

    func testResendRestartsTheLifetimeButNotTheAttempts() {
        var (challenge, _) = start()
        _ = challenge.verify(codeMatches: false, now: clock.now())
        clock.advance(seconds: 200)
        XCTAssertEqual(challenge.resend(newDigest: newCode(for: challenge).1, now: clock.now()), .sent)
        XCTAssertEqual(challenge.expiresAt, clock.now().adding(seconds: 300))
        XCTAssertEqual(challenge.attemptsLeft, 4)
        clock.advance(seconds: 300)
        XCTAssertEqual(challenge.resend(newDigest: newCode(for: challenge).1, now: clock.now()), .expired)
    }

    func testCodeOfOneChallengeDoesNotVerifyAnother() {
        let (a, codeA) = start()
        let (b, _) = start()
        XCTAssertTrue(a.codeMatches(codeA.digits, digester: digester))
        XCTAssertFalse(b.codeMatches(codeA.digits, digester: digester))
    }

    func testChallengeRoundTripsThroughCodableWithoutTheCode() throws {
        var (challenge, code) = start(purpose: .stepUp)
        _ = challenge.verify(codeMatches: false, now: clock.now())
        let data = try JSONEncoder().encode(challenge)
        let decoded = try JSONDecoder().decode(SMSChallenge.self, from: data)
        XCTAssertEqual(decoded, challenge)
        let json = String(decoding: data, as: UTF8.self)
        XCTAssertFalse(json.contains(code.digits))
        XCTAssertTrue(json.contains("\"step_up\""))
    }

    func testPolicyRefusesNonsense() {
        XCTAssertThrowsError(try SMSChallengePolicy(codeLength: 3))
        XCTAssertThrowsError(try SMSChallengePolicy(lifetime: 0))
        XCTAssertThrowsError(try SMSChallengePolicy(lifetime: .infinity))
        XCTAssertThrowsError(try SMSChallengePolicy(maxAttempts: 0))
        XCTAssertThrowsError(try SMSChallengePolicy(resendCooldown: -1))
        let policy = SMSChallengePolicy.default
        XCTAssertEqual([policy.codeLength, policy.maxAttempts, policy.maxResends], [6, 5, 3])
        XCTAssertEqual([policy.lifetime, policy.resendCooldown], [300, 30])
        XCTAssertEqual(policy.lifetimeMinutes, 5)
    }
}
