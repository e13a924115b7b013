import Foundation
import RiegelCore
@testable import RiegelService
import RiegelTesting
import Synchronization
import XCTest

/// The SMS second factor end to end over in-memory ports with a manual clock
/// (issue 5; security rule 3, 5 and 9).
final class SecondFactorTests: XCTestCase {
    let strong = "Kl4vier-Sonate-Mond"
    let phone = "+49 151 23456789"

    /// The code in the last message the gateway delivered.
    func lastCode(_ f: AccountServiceFixture, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let text = try XCTUnwrap(f.gateway.delivered.last?.text, "no SMS was sent", file: file, line: line)
        let runs = text.split { !$0.isASCII || !$0.isNumber }.filter { $0.count == 6 }
        return String(try XCTUnwrap(runs.first, "no 6-digit code in the SMS", file: file, line: line))
    }

    func wrong(_ code: String) -> String {
        String(code.map { $0 == "9" ? "0" : Character(String(Int(String($0))! + 1)) })
    }

    /// A registered account with the second factor on (enrolled at registration).
    @discardableResult
    func enrolled(_ f: AccountServiceFixture, _ name: String = "sofia") async throws -> UserID {
        let (id, challenge) = try await f.service.register(username: name, password: strong, email: nil, phone: phone,
                                                           client: .init())
        _ = try await f.service.verifyChallenge(id: try XCTUnwrap(challenge).id.rawValue, code: try lastCode(f),
                                                rememberDevice: false, deviceLabel: nil, client: .init())
        return id
    }

    /// A second-factor session of an enrolled account (login + code).
    func secondFactorSession(_ f: AccountServiceFixture, _ name: String = "sofia") async throws -> NewSession {
        let challenge = try await f.service.login(username: name, password: strong, client: .init()).challenge
        let result = try await f.service.verifyChallenge(id: challenge.id.rawValue, code: try lastCode(f),
                                                         rememberDevice: false, deviceLabel: nil, client: .init())
        return try XCTUnwrap(result.session)
    }

    func auditTypes(_ f: AccountServiceFixture) throws -> [String] {
        try f.auditLog.query(AuditFilter(), limit: nil).entries.map(\.event.type)
    }

    // MARK: enrolment at registration

    func testRegisterWithPhoneSendsACodeAndVerifyingItTurnsTheSecondFactorOn() async throws {
        let f = AccountServiceFixture()
        let (id, challenge) = try await f.service.register(username: "sofia", password: strong, email: nil,
                                                           phone: phone, client: .init(language: "en"))
        let c = try XCTUnwrap(challenge)
        XCTAssertEqual(c.purpose, .enrollPhone)
        XCTAssertEqual(c.maskedPhone, "+49 *** *** **89")
        XCTAssertEqual(c.attemptsLeft, 5)
        XCTAssertEqual(c.expiresAt, f.clock.now().adding(seconds: 300))
        XCTAssertEqual(c.resendAfter, f.clock.now().adding(seconds: 30))
        XCTAssertEqual(f.gateway.delivered.map(\.to), ["+4915123456789"])
        XCTAssertTrue(f.gateway.delivered[0].text.contains("verification code"), "the caller's language (en) is used")
        XCTAssertFalse(try XCTUnwrap(f.accounts.account(id: id)).secondFactorEnabled, "not before the code")
        let result = try await f.service.verifyChallenge(id: c.id.rawValue, code: try lastCode(f), rememberDevice: false,
                                                         deviceLabel: nil, client: .init())
        XCTAssertNil(result.session, "an enrolment from Register returns no session: the user logs in next")
        let account = try XCTUnwrap(f.accounts.account(id: id))
        XCTAssertTrue(account.secondFactorEnabled)
        XCTAssertNotNil(account.phone)
        XCTAssertNotNil(account.phoneIndex)
    }

    func testRegisterWithPhoneWhenNoGatewayTakesTheCodeIsSmsUnavailableAndCreatesNothing() async throws {
        let f = AccountServiceFixture(smsPolicy: AccountServiceFixture.smsPolicy(sendDeadline: 5),
                                      gateway: InMemorySMSGateway(behavior: .fail(.unavailable(gateway: "memory", reason: "down"))))
        await expect(.smsUnavailable) {
            _ = try await f.service.register(username: "sofia", password: self.strong, email: nil, phone: self.phone,
                                             client: .init())
        }
        XCTAssertNil(try f.accounts.account(usernameKey: "sofia"), "the account must be removed again")
        XCTAssertGreaterThan(f.gateway.attempts, 1, "the first send retries with backoff until the deadline")
        XCTAssertTrue(try f.challengeStore.stats(since: Instant(secondsSinceEpoch: 0)).isEmpty,
                      "no challenge or message is left half-made")
        let taken = try f.auditLog.query(AuditFilter(types: ["account.created", "account.deleted"]), limit: nil).entries
        XCTAssertEqual(taken.map(\.event.type), ["account.created", "account.deleted"],
                       "the account existed for a moment: the trail says so, and that it was taken back")
        XCTAssertEqual(taken.last?.event.reason, "registration_incomplete")
        XCTAssertEqual(taken.last?.event.details["cause"], "sms_unavailable")
        XCTAssertEqual(taken.map(\.event.username), [nil, nil], "the username is forgotten, as for any deleted account")
        f.gateway.behavior = .deliver
        _ = try await f.service.register(username: "sofia", password: strong, email: nil, phone: phone, client: .init())
    }

    func testRegisterWithABadPhoneNumberIsInvalidPhoneNumberAndCreatesNothing() async throws {
        let f = AccountServiceFixture()
        let numbers: [(String, InvalidPhoneNumber)] = [
            ("0151 2345 6789", .missingCountryCode), ("+49 151 abc", .invalidCharacter),
            ("+1 202 555 0123", .countryNotAllowed(countryCode: "1")), ("+49 900 1234567", .specialRange),
            ("12345", .shortCode), ("", .empty),
        ]
        for (bad, why) in numbers {
            await expect(.invalidPhoneNumber(reason: why.description)) {
                _ = try await f.service.register(username: "sofia", password: self.strong, email: nil, phone: bad,
                                                 client: .init())
            }
        }
        XCTAssertNil(try f.accounts.account(usernameKey: "sofia"))
        XCTAssertTrue(f.gateway.delivered.isEmpty)
        let refusals = try f.auditLog.query(AuditFilter(types: ["sms.refused"]), limit: nil).entries.map(\.event)
        XCTAssertEqual(refusals.count, 6, "every refused number is audited")
        XCTAssertTrue(refusals.contains { $0.details["detail"] == "country_not_allowed:1" })
    }

    func testFirstSendRetriesWithBackoffAndSucceedsWhenAGatewayComesBack() async throws {
        let flaky = FlakyGateway(failures: 2)
        let f = AccountServiceFixture(sendThrough: flaky)
        let (_, challenge) = try await f.service.register(username: "sofia", password: strong, email: nil, phone: phone,
                                                          client: .init())
        XCTAssertNotNil(challenge)
        XCTAssertEqual(flaky.attempts, 3)
        XCTAssertEqual(f.clock.now().seconds(since: AccountServiceFixture().clock.now()), 3, accuracy: 0.001,
                       "backoff 1 s, then 2 s")
    }

    // MARK: login

    func testLoginOfASecondFactorAccountAnswersAChallengeAndTheCodeGivesASecondFactorSession() async throws {
        let f = AccountServiceFixture()
        let id = try await enrolled(f)
        let outcome = try await f.service.login(username: "sofia", password: strong, client: .init())
        let challenge = try outcome.challenge
        XCTAssertEqual(challenge.purpose, .login)
        XCTAssertEqual(f.sessions.liveCount(of: id), 0, "no session before the code")
        let result = try await f.service.verifyChallenge(id: challenge.id.rawValue, code: try lastCode(f),
                                                         rememberDevice: false, deviceLabel: nil,
                                                         client: .init(ip: "192.0.2.7"))
        let session = try XCTUnwrap(result.session)
        XCTAssertEqual(session.info.assurance, .secondFactor)
        XCTAssertEqual(session.info.secondFactorAt, f.clock.now())
        XCTAssertEqual(try f.sessions.list(token: session.token).first?.method, .sms)
        XCTAssertEqual(try f.sessions.list(token: session.token).first?.clientIP, "192.0.2.7")
    }

    func testWrongPasswordOfASecondFactorAccountSendsNoSMS() async throws {
        let f = AccountServiceFixture()
        try await enrolled(f)
        let sent = f.gateway.delivered.count
        await expect(.invalidCredentials) {
            _ = try await f.service.login(username: "sofia", password: "Wrong-Wrong-99", client: .init())
        }
        XCTAssertEqual(f.gateway.delivered.count, sent)
    }

    // MARK: codes

    func testWrongCodesCountDownAndTheFifthFailsTheChallengeForGood() async throws {
        let f = AccountServiceFixture()
        try await enrolled(f)
        let c = try await f.service.login(username: "sofia", password: strong, client: .init()).challenge
        let right = try lastCode(f)
        for left in [4, 3, 2, 1] {
            await expect(.invalidCode(attemptsLeft: left)) {
                _ = try await f.service.verifyChallenge(id: c.id.rawValue, code: self.wrong(right), rememberDevice: false,
                                                        deviceLabel: nil, client: .init())
            }
        }
        await expect(.invalidCode(attemptsLeft: 0)) {
            _ = try await f.service.verifyChallenge(id: c.id.rawValue, code: self.wrong(right), rememberDevice: false,
                                                    deviceLabel: nil, client: .init())
        }
        await expect(.invalidCode(attemptsLeft: 0)) {
            _ = try await f.service.verifyChallenge(id: c.id.rawValue, code: right, rememberDevice: false,
                                                    deviceLabel: nil, client: .init())
        }
    }

    func testACodeWorksOnce() async throws {
        let f = AccountServiceFixture()
        try await enrolled(f)
        let c = try await f.service.login(username: "sofia", password: strong, client: .init()).challenge
        let code = try lastCode(f)
        _ = try await f.service.verifyChallenge(id: c.id.rawValue, code: code, rememberDevice: false, deviceLabel: nil,
                                                client: .init())
        await expect(.challengeExpired) {
            _ = try await f.service.verifyChallenge(id: c.id.rawValue, code: code, rememberDevice: false,
                                                    deviceLabel: nil, client: .init())
        }
    }

    func testACodeExpiresAfterFiveMinutes() async throws {
        let f = AccountServiceFixture()
        try await enrolled(f)
        let c = try await f.service.login(username: "sofia", password: strong, client: .init()).challenge
        f.clock.advance(seconds: 300)
        await expect(.challengeExpired) {
            _ = try await f.service.verifyChallenge(id: c.id.rawValue, code: try self.lastCode(f), rememberDevice: false,
                                                    deviceLabel: nil, client: .init())
        }
    }

    func testUnknownChallengeIsChallengeExpired() async throws {
        let f = AccountServiceFixture()
        await expect(.challengeExpired) {
            _ = try await f.service.verifyChallenge(id: "c_nope", code: "123456", rememberDevice: false,
                                                    deviceLabel: nil, client: .init())
        }
    }

    func testResendWithinTheCooldownIsResendTooSoon() async throws {
        let f = AccountServiceFixture()
        try await enrolled(f)
        let c = try await f.service.login(username: "sofia", password: strong, client: .init()).challenge
        f.clock.advance(seconds: 10)
        await expect(.resendTooSoon(retryAfterSeconds: 20)) { _ = try await f.service.resendChallenge(id: c.id.rawValue) }
    }

    func testResendSendsAFreshCodeAndTheOldOneStopsWorking() async throws {
        let f = AccountServiceFixture()
        try await enrolled(f)
        let c = try await f.service.login(username: "sofia", password: strong, client: .init()).challenge
        let old = try lastCode(f)
        f.clock.advance(seconds: 30)
        let again = try await f.service.resendChallenge(id: c.id.rawValue)
        XCTAssertEqual(again.id, c.id)
        XCTAssertEqual(again.expiresAt, f.clock.now().adding(seconds: 300), "a resend restarts the code's lifetime")
        let new = try lastCode(f)
        if old != new {
            await expect(.invalidCode(attemptsLeft: 4)) {
                _ = try await f.service.verifyChallenge(id: c.id.rawValue, code: old, rememberDevice: false,
                                                        deviceLabel: nil, client: .init())
            }
        }
        _ = try await f.service.verifyChallenge(id: c.id.rawValue, code: new, rememberDevice: false, deviceLabel: nil,
                                                client: .init())
    }

    func testAfterThreeResendsAFourthIsTooManyAttempts() async throws {
        let f = AccountServiceFixture()
        try await enrolled(f)
        let c = try await f.service.login(username: "sofia", password: strong, client: .init()).challenge
        for _ in 0..<3 {
            f.clock.advance(seconds: 30)
            _ = try await f.service.resendChallenge(id: c.id.rawValue)
        }
        f.clock.advance(seconds: 30)
        await expect(.tooManyAttempts(retryAfterSeconds: 270)) { _ = try await f.service.resendChallenge(id: c.id.rawValue) }
    }

    func testTenWrongCodesAcrossChallengesLockTheSecondFactorAndANewLoginDoesNotResetIt() async throws {
        let f = AccountServiceFixture()
        try await enrolled(f)
        var wrongs = 0
        while wrongs < 10 {
            let c = try await f.service.login(username: "sofia", password: strong, client: .init()).challenge
            for _ in 0..<min(4, 10 - wrongs) {
                do {
                    _ = try await f.service.verifyChallenge(id: c.id.rawValue, code: wrong(try lastCode(f)),
                                                            rememberDevice: false, deviceLabel: nil, client: .init())
                } catch RiegelError.invalidCode {
                    wrongs += 1
                }
            }
            f.clock.advance(seconds: 60)
        }
        let c = try await f.service.login(username: "sofia", password: strong, client: .init()).challenge
        do {
            _ = try await f.service.verifyChallenge(id: c.id.rawValue, code: try lastCode(f), rememberDevice: false,
                                                    deviceLabel: nil, client: .init())
            XCTFail("a locked second factor took a right code")
        } catch RiegelError.tooManyAttempts(let wait) {
            XCTAssertGreaterThan(wait, 1500)
        }
        XCTAssertTrue(try auditTypes(f).contains("second_factor.locked"))
        // The lock holds until the first of the ten wrong codes has left the
        // three-hour window.
        f.clock.advance(seconds: 3 * 3600)
        _ = try await secondFactorSession(f)
    }

    // MARK: SMS pumping

    func testSendCapPerPhoneRefusesWithTooManyAttemptsAndIsAudited() async throws {
        let caps = try SMSSendCaps(perPhone: 3, perUser: 100)
        let f = AccountServiceFixture(smsPolicy: AccountServiceFixture.smsPolicy(caps: caps))
        try await enrolled(f)  // the enrolment budget's send, not counted below
        _ = try await f.service.login(username: "sofia", password: strong, client: .init())  // 1
        _ = try await f.service.login(username: "sofia", password: strong, client: .init())  // 2
        _ = try await f.service.login(username: "sofia", password: strong, client: .init())  // 3
        do {
            _ = try await f.service.login(username: "sofia", password: strong, client: .init())
            XCTFail("the fourth login send to one number within the hour went out")
        } catch RiegelError.tooManyAttempts(let wait) {
            XCTAssertEqual(wait, 3660, "the hour, and the rest of the sends' one-minute bucket")
        }
        XCTAssertEqual(f.gateway.delivered.count, 4)
        let capped = try f.auditLog.query(AuditFilter(types: ["sms.capped"]), limit: nil).entries.map(\.event)
        XCTAssertEqual(capped.map(\.reason), ["phone"])
        f.clock.advance(seconds: 3660)
        _ = try await f.service.login(username: "sofia", password: strong, client: .init())
    }

    func testAFirstSendNoGatewayTookDoesNotUseUpTheCaps() async throws {
        let caps = try SMSSendCaps(perPhone: 1, perUser: 100, perCountry: 100, global: 1, enrolmentPerPhone: 1,
                                   enrolmentGlobal: 1)
        let f = AccountServiceFixture(smsPolicy: AccountServiceFixture.smsPolicy(caps: caps, sendDeadline: 2),
                                      gateway: InMemorySMSGateway(behavior: .fail(.unavailable(gateway: "m", reason: "down"))))
        for _ in 0..<3 {
            await expect(.smsUnavailable) {
                _ = try await f.service.register(username: "sofia", password: self.strong, email: nil, phone: self.phone,
                                                 client: .init())
            }
        }
        f.gateway.behavior = .deliver
        let (_, challenge) = try await f.service.register(username: "sofia", password: strong, email: nil, phone: phone,
                                                          client: .init())
        XCTAssertNotNil(challenge, "an outage must not leave the caps used up")
        // The successful send came after the failed ones' backoff (3 s of the
        // manual clock): an hour and the rest of its one-minute bucket.
        await expect(.tooManyAttempts(retryAfterSeconds: 3657)) {
            _ = try await f.service.register(username: "max", password: self.strong, email: nil, phone: self.phone,
                                             client: .init())
        }
    }

    /// A rotation of the `pii` key changes a number's blind index, so its
    /// window's key: the sends counted under the old index still count.
    func testThePerNumberCapSurvivesARotationOfTheBlindIndexKey() async throws {
        let caps = try SMSSendCaps(perPhone: 2, perUser: 100)
        let f = AccountServiceFixture(smsPolicy: AccountServiceFixture.smsPolicy(caps: caps))
        try await enrolled(f)
        _ = try await f.service.login(username: "sofia", password: strong, client: .init())
        f.smsDigester.rotate(.pii)
        _ = try await f.service.login(username: "sofia", password: strong, client: .init())
        await expect(.tooManyAttempts(retryAfterSeconds: 3660)) {
            _ = try await f.service.login(username: "sofia", password: self.strong, client: .init())
        }
        let capped = try f.auditLog.query(AuditFilter(types: ["sms.capped"]), limit: nil).entries.map(\.event)
        XCTAssertEqual(capped.map(\.reason), ["phone"])
    }

    func testResendsCountAgainstTheCapsToo() async throws {
        let caps = try SMSSendCaps(perPhone: 100, perUser: 2)
        let f = AccountServiceFixture(smsPolicy: AccountServiceFixture.smsPolicy(caps: caps))
        try await enrolled(f)
        let c = try await f.service.login(username: "sofia", password: strong, client: .init()).challenge
        f.clock.advance(seconds: 30)
        await expect(.tooManyAttempts(retryAfterSeconds: 3630)) { _ = try await f.service.resendChallenge(id: c.id.rawValue) }
    }

    // MARK: enrolment later, change and disable

    func testEnrollPhoneNeedsThePasswordThenRaisesAndRenewsTheSession() async throws {
        let f = AccountServiceFixture()
        let (id, _) = try await f.service.register(username: "max", password: strong, email: nil, phone: nil, client: .init())
        let session = try await f.service.login(username: "max", password: strong, client: .init()).session
        await expect(.invalidCredentials) {
            _ = try await f.service.enrollPhone(token: session.token, phone: self.phone, password: "Wrong-Wrong-99")
        }
        XCTAssertTrue(f.gateway.delivered.isEmpty)
        await expect(.invalidPhoneNumber(reason: InvalidPhoneNumber.specialRange.description)) {
            _ = try await f.service.enrollPhone(token: session.token, phone: "+49 900 1234567", password: self.strong)
        }
        let c = try await f.service.enrollPhone(token: session.token, phone: phone, password: strong)
        XCTAssertEqual(c.purpose, .enrollPhone)
        let result = try await f.service.verifyChallenge(id: c.id.rawValue, code: try lastCode(f), rememberDevice: false,
                                                         deviceLabel: nil, client: .init())
        let renewed = try XCTUnwrap(result.session)
        XCTAssertEqual(renewed.info.sessionID, session.info.sessionID)
        XCTAssertEqual(renewed.info.assurance, .secondFactor)
        XCTAssertNotEqual(renewed.token, session.token)
        XCTAssertThrowsError(try f.sessions.check(token: session.token), "the old token stops working")
        XCTAssertTrue(try XCTUnwrap(f.accounts.account(id: id)).secondFactorEnabled)
    }

    func testChangingThePhoneOfASecondFactorAccountNeedsASecondFactorSession() async throws {
        let f = AccountServiceFixture()
        try await enrolled(f)
        // A password-only session of a 2FA account cannot exist through login; make one as a thief might hold.
        let account = try XCTUnwrap(f.accounts.account(usernameKey: "sofia"))
        let weak = try f.sessions.open(for: account, assurance: .password, method: .password, client: .init())
        await expect(.stepUpRequired) {
            _ = try await f.service.enrollPhone(token: weak.token, phone: "+49 151 99999999", password: self.strong)
        }
        let strongSession = try await secondFactorSession(f)
        let c = try await f.service.enrollPhone(token: strongSession.token, phone: "+49 151 99999999", password: strong)
        XCTAssertEqual(c.maskedPhone, "+49 *** *** **99")
        _ = try await f.service.verifyChallenge(id: c.id.rawValue, code: try lastCode(f), rememberDevice: false,
                                                deviceLabel: nil, client: .init())
        _ = try await f.service.login(username: "sofia", password: strong, client: .init())
        XCTAssertEqual(f.gateway.delivered.last?.to, "+4915199999999", "codes go to the new number")
        XCTAssertTrue(try auditTypes(f).contains("second_factor.phone_changed"))
    }

    func testDisableSecondFactorNeedsASecondFactorSessionAndThePasswordAndEndsOtherSessions() async throws {
        let f = AccountServiceFixture()
        let id = try await enrolled(f)
        let account = try XCTUnwrap(f.accounts.account(id: id))
        let weak = try f.sessions.open(for: account, assurance: .password, method: .password, client: .init())
        await expect(.stepUpRequired) { try await f.service.disableSecondFactor(token: weak.token, password: self.strong) }
        let other = try await secondFactorSession(f)
        let mine = try await secondFactorSession(f)
        await expect(.invalidCredentials) { try await f.service.disableSecondFactor(token: mine.token, password: "nope-nope-1") }
        try await f.service.disableSecondFactor(token: mine.token, password: strong)
        XCTAssertFalse(try XCTUnwrap(f.accounts.account(id: id)).secondFactorEnabled)
        XCTAssertNil(try XCTUnwrap(f.accounts.account(id: id)).phone, "the number goes with the second factor")
        XCTAssertThrowsError(try f.sessions.check(token: other.token))
        let info = try f.sessions.check(token: mine.token).info
        XCTAssertEqual(info.assurance, .password, "this session loses its elevation")
        _ = try await f.service.login(username: "sofia", password: strong, client: .init()).session
    }

    // MARK: password reset

    func testPasswordResetOfASecondFactorAccountCompletesOnlyAfterTheCode() async throws {
        let f = AccountServiceFixture()
        let id = try await enrolled(f)
        let before = try await secondFactorSession(f)
        let begun = try await f.service.beginPasswordReset(username: "sofia", client: .init())
        let token = try XCTUnwrap(begun.token)
        let completed = try await f.service.completePasswordReset(token: token, newPassword: "Ganz-Neu-Und-Lang-7")
        let c = try XCTUnwrap(completed)
        XCTAssertEqual(c.purpose, .passwordReset)
        let resetCode = try lastCode(f)
        XCTAssertEqual(try f.resetTokens.user(forDigest: f.tokens.digest(ofToken: token), now: f.clock.now()), id,
                       "the token stays unspent until the code")
        _ = try await f.service.login(username: "sofia", password: strong, client: .init()).challenge
        _ = try f.sessions.check(token: before.token)
        let result = try await f.service.verifyChallenge(id: c.id.rawValue, code: resetCode, rememberDevice: false,
                                                         deviceLabel: nil, client: .init())
        XCTAssertNil(result.session)
        XCTAssertNil(try f.resetTokens.user(forDigest: f.tokens.digest(ofToken: token), now: f.clock.now()))
        XCTAssertThrowsError(try f.sessions.check(token: before.token), "a reset ends every session")
        await expect(.invalidCredentials) {
            _ = try await f.service.login(username: "sofia", password: self.strong, client: .init())
        }
        _ = try await f.service.login(username: "sofia", password: "Ganz-Neu-Und-Lang-7", client: .init()).challenge
    }

    // MARK: step-up

    func testStepUpRaisesThePasswordSessionAndRenewsItsToken() async throws {
        let f = AccountServiceFixture()
        let id = try await enrolled(f)
        let account = try XCTUnwrap(f.accounts.account(id: id))
        let session = try f.sessions.open(for: account, assurance: .password, method: .password, client: .init())
        f.clock.advance(seconds: 100)
        let c = try await f.service.beginStepUp(token: session.token)
        XCTAssertEqual(c.purpose, .stepUp)
        let result = try await f.service.verifyChallenge(id: c.id.rawValue, code: try lastCode(f), rememberDevice: false,
                                                         deviceLabel: nil, client: .init())
        let renewed = try XCTUnwrap(result.session)
        XCTAssertEqual(renewed.info.sessionID, session.info.sessionID)
        XCTAssertEqual(renewed.info.secondFactorAt, f.clock.now())
        XCTAssertThrowsError(try f.sessions.check(token: session.token))
    }

    func testBeginStepUpWithoutASecondFactorIsSecondFactorNotEnrolled() async throws {
        let f = AccountServiceFixture()
        _ = try await f.service.register(username: "max", password: strong, email: nil, phone: nil, client: .init())
        let session = try await f.service.login(username: "max", password: strong, client: .init()).session
        await expect(.secondFactorNotEnrolled) { _ = try await f.service.beginStepUp(token: session.token) }
        XCTAssertTrue(f.gateway.delivered.isEmpty)
    }

    // MARK: admin

    func testAdminResetOfTheSecondFactorTurnsItOffAndEndsSessions() async throws {
        let f = AccountServiceFixture()
        let id = try await enrolled(f)
        let session = try await secondFactorSession(f)
        try f.service.resetSecondFactor(username: "Sofia", reason: "lost phone, ticket 42")
        XCTAssertFalse(try XCTUnwrap(f.accounts.account(id: id)).secondFactorEnabled)
        XCTAssertThrowsError(try f.sessions.check(token: session.token))
        XCTAssertThrowsError(try f.service.resetSecondFactor(username: "nobody", reason: "x")) {
            XCTAssertEqual($0 as? RiegelError, .noSuchAccount)
        }
    }

    // MARK: secrets (rule 9) and the outbox

    func testNoCodeAndNoFullNumberReachTheLogsOrTheAuditTrail() async throws {
        let f = AccountServiceFixture()
        try await enrolled(f)
        var codes = [try lastCode(f)]
        let c = try await f.service.login(username: "sofia", password: strong, client: .init()).challenge
        codes.append(try lastCode(f))
        _ = try? await f.service.verifyChallenge(id: c.id.rawValue, code: wrong(codes[1]), rememberDevice: false,
                                                 deviceLabel: nil, client: .init())
        let audit = try f.auditLog.query(AuditFilter(), limit: nil).entries.map { "\($0.event)" }.joined(separator: "\n")
        let logs = f.logs.lines.withLock { $0 }.joined(separator: "\n")
        for text in [audit, logs] {
            for code in codes + [wrong(codes[1])] { XCTAssertFalse(text.contains(code), "a code leaked") }
            XCTAssertFalse(text.contains("23456789"), "the full number leaked")
        }
        XCTAssertTrue(audit.contains("+49***89"), "the audit mask (country code, last two digits) is what the trail shows")
    }

    func testAMessageQueuedBeforeACrashIsSentOnceByTheDispatcher() async throws {
        let f = AccountServiceFixture()
        try await enrolled(f)
        // The state a crash leaves: challenge and message committed, nothing sent.
        let challenge = SMSChallenge.start(
            id: ChallengeID(rawValue: "c_crash"), purpose: .login, userID: try XCTUnwrap(f.accounts.account(usernameKey: "sofia")).id,
            sessionID: nil, sealedPhone: SealedSecret(bytes: [], keyID: KeyID(rawValue: 1)),
            codeDigest: KeyedDigest(bytes: [], keyID: KeyID(rawValue: 1)), now: f.clock.now())
        let payload = try f.sms.dispatcher.seal(SMSMessage(to: "+4915123456789", text: "123456 is your code"),
                                                challengeID: challenge.id)
        _ = try f.challengeStore.create(StoredChallenge(challenge: challenge), message: QueuedSMS(
            challengeID: challenge.id, purpose: .login, countryCode: "49", payload: payload,
            createdAt: f.clock.now(), expiresAt: challenge.expiresAt))
        let sent = f.gateway.delivered.count
        let first = await f.sms.dispatcher.dispatchDue()
        let second = await f.sms.dispatcher.dispatchDue()
        XCTAssertEqual(first, 1)
        XCTAssertEqual(second, 0, "sent once")
        XCTAssertEqual(f.gateway.delivered.count, sent + 1)
        XCTAssertEqual(f.gateway.delivered.last?.text, "123456 is your code")
    }

    func testTheDispatcherGivesUpAMessageOnceItsCodeIsDead() async throws {
        let f = AccountServiceFixture(gateway: InMemorySMSGateway(behavior: .fail(.rejected(gateway: "m", reason: "503"))))
        let challenge = SMSChallenge.start(
            id: ChallengeID(rawValue: "c_dead"), purpose: .login, userID: UserID(rawValue: "u_1"), sessionID: nil,
            sealedPhone: SealedSecret(bytes: [], keyID: KeyID(rawValue: 1)),
            codeDigest: KeyedDigest(bytes: [], keyID: KeyID(rawValue: 1)), now: f.clock.now())
        let id = try f.challengeStore.create(StoredChallenge(challenge: challenge), message: QueuedSMS(
            challengeID: challenge.id, purpose: .login, countryCode: "49",
            payload: try f.sms.dispatcher.seal(SMSMessage(to: "+4915123456789", text: "x"), challengeID: challenge.id),
            createdAt: f.clock.now(), expiresAt: challenge.expiresAt))
        var passes = 0
        while try f.challengeStore.message(id: id)?.payload != nil, passes < 100 {
            await f.sms.dispatcher.dispatchDue()
            f.clock.advance(seconds: 10)
            passes += 1
        }
        let message = try XCTUnwrap(f.challengeStore.message(id: id))
        XCTAssertNil(message.payload, "given up and wiped")
        XCTAssertNil(message.sentAt)
        XCTAssertGreaterThan(message.attempts, 3, "retried with backoff first")
        XCTAssertLessThan(f.clock.now().seconds(since: challenge.createdAt), 340, "given up about when the code died")
    }

    func testStatsCountSendsAndConversionPerCountry() async throws {
        let f = AccountServiceFixture()
        try await enrolled(f)
        _ = try await f.service.login(username: "sofia", password: strong, client: .init())
        let stats = try f.sms.stats(since: f.clock.now().adding(seconds: -3600))
        XCTAssertEqual(stats, [SMSCountryStats(countryCode: "49", sent: 2, unsent: 0, challenges: 2, verified: 1)])
    }

    // MARK: a resend racing a check on another instance (issue 17)

    /// An enrolled account's login challenge with a resend due, the code
    /// sent for it, and the SMS service of another instance sharing the
    /// stores; `interleave` runs that instance's step inside this one's next
    /// resend or check.
    func challengeRacedByAnotherInstance(_ interleave: InterleavingSMSCounters) async throws
        -> (AccountServiceFixture, UserID, ChallengeView, String, SMSChallengeService) {
        let f = AccountServiceFixture(smsCounters: { interleave.wrapping($0) })
        let user = try await enrolled(f)
        let c = try await f.service.login(username: "sofia", password: strong, client: .init()).challenge
        let code = try lastCode(f)
        f.clock.advance(seconds: 30)
        return (f, user, c, code, f.smsOnAnotherInstance())
    }

    /// A wrong code checked on another riegeld instance between a resend's
    /// first look at the challenge and its write: the try the check took
    /// stays taken (the resend rewrites the challenge as it is under the
    /// budget's lock), and the resent code works.
    func testAResendRacingAWrongCodeOnAnotherInstanceLeavesTheTryTaken() async throws {
        let interleave = InterleavingSMSCounters()
        let (f, user, c, old, other) = try await challengeRacedByAnotherInstance(interleave)
        interleave.beforeNextSendSlot {
            do {
                _ = try other.verify(id: c.id.rawValue, code: self.wrong(old))
                XCTFail("a wrong code verified")
            } catch {
                XCTAssertEqual(error as? RiegelError, .invalidCode(attemptsLeft: 4))
            }
        }
        let again = try await f.service.resendChallenge(id: c.id.rawValue)
        XCTAssertTrue(interleave.ran, "the other instance's check ran inside the resend")
        let stored = try XCTUnwrap(f.challengeStore.challenge(id: c.id)).challenge
        XCTAssertEqual(stored.attemptsLeft, 4, "the try taken on the other instance stays taken")
        XCTAssertEqual(again.attemptsLeft, 4, "and the caller is told so")
        XCTAssertEqual(stored.resendCount, 1)
        XCTAssertEqual(try f.counters.budget(of: user)?.failures.count, 1)
        _ = try await f.service.verifyChallenge(id: c.id.rawValue, code: try lastCode(f), rememberDevice: false,
                                                deviceLabel: nil, client: .init())
    }

    /// One right code sent to two instances, the other's check landing
    /// between this one's first read of the challenge and its decision: the
    /// decision re-reads the challenge under the budget's lock, so one
    /// verifies and this one finds the challenge used (issue 17).
    func testARightCodeCheckedOnTwoInstancesAtOnceVerifiesOnce() async throws {
        let interleave = InterleavingSMSCounters()
        let (f, _, c, code, other) = try await challengeRacedByAnotherInstance(interleave)
        interleave.beforeNextBudgetUpdate {
            XCTAssertEqual(try? other.verify(id: c.id.rawValue, code: code).challenge.state, .verified)
        }
        XCTAssertThrowsError(try f.sms.verify(id: c.id.rawValue, code: code)) { error in
            XCTAssertEqual(error as? RiegelError, .challengeExpired, "the code was used on the other instance")
        }
        XCTAssertTrue(interleave.ran, "the other instance's check ran inside this one")
        XCTAssertEqual(try XCTUnwrap(f.challengeStore.challenge(id: c.id)).challenge.state, .verified)
    }

    /// A right code checked on another instance between a resend's first
    /// look and its write: the challenge stays verified, not reopened with a
    /// fresh code (which would open a second session from one challenge);
    /// the resend answers `ChallengeExpired`, sends nothing and gives its
    /// send slot back.
    func testAResendRacingARightCodeOnAnotherInstanceDoesNotReopenTheChallenge() async throws {
        let interleave = InterleavingSMSCounters()
        let (f, user, c, old, other) = try await challengeRacedByAnotherInstance(interleave)
        let window = f.sms.policy.caps.window
        let userSends = { try f.counters.sendWindow("user:" + user.rawValue)?.count(now: f.clock.now(), window: window) }
        let sendsBefore = try userSends()
        let delivered = f.gateway.delivered.count
        interleave.beforeNextSendSlot {
            XCTAssertEqual(try? other.verify(id: c.id.rawValue, code: old).challenge.state, .verified)
        }
        await expect(.challengeExpired) { _ = try await f.service.resendChallenge(id: c.id.rawValue) }
        XCTAssertTrue(interleave.ran, "the other instance's check ran inside the resend")
        let stored = try XCTUnwrap(f.challengeStore.challenge(id: c.id)).challenge
        XCTAssertEqual(stored.state, .verified, "the verified challenge is not reopened")
        XCTAssertEqual(stored.resendCount, 0)
        XCTAssertEqual(f.gateway.delivered.count, delivered, "no code is sent")
        XCTAssertEqual(try userSends(), sendsBefore, "the send slot the resend took is given back")
    }

    /// A check on another instance held at its write.
    final class HeldCheck: @unchecked Sendable {
        let f: AccountServiceFixture
        let user: UserID
        let challenge: ChallengeID
        /// Holds the check's first write until `release` is signalled.
        let paused: PausingChallengeStore
        /// What the check answered, once it did (`done`).
        let outcome = Mutex<Result<ChallengeState, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)

        init(f: AccountServiceFixture, user: UserID, challenge: ChallengeID, paused: PausingChallengeStore) {
            (self.f, self.user, self.challenge, self.paused) = (f, user, challenge, paused)
        }

        /// Releases the check and returns what it answered (nil: it did not finish within 10 s).
        func finish() -> Result<ChallengeState, any Error>? {
            paused.release.signal()
            guard done.wait(timeout: .now() + 10) == .success else { return nil }
            return outcome.withLock { $0 }
        }
    }

    /// An enrolled account's login challenge, checked with its right code by
    /// another instance (sharing the stores) on a thread of its own, and
    /// held between the check's read of the challenge and its write.
    func checkHeldAtItsWrite() async throws -> HeldCheck {
        let f = AccountServiceFixture()
        let user = try await enrolled(f)
        let c = try await f.service.login(username: "sofia", password: strong, client: .init()).challenge
        let code = try lastCode(f)
        let check = HeldCheck(f: f, user: user, challenge: c.id, paused: PausingChallengeStore(inner: f.challengeStore))
        let checking = f.smsOnAnotherInstance(store: check.paused)
        Thread.detachNewThread {
            let result = Result { try checking.verify(id: c.id.rawValue, code: code).challenge.state }
            check.outcome.withLock { $0 = result }
            check.done.signal()
        }
        XCTAssertEqual(check.paused.atWrite.wait(timeout: .now() + 10), .success, "the check reached its write")
        return check
    }

    /// A password change (or reset, or lock) on one instance ends the user's
    /// pending challenges while another instance is checking a right code
    /// for one of them, held between its read of the challenge and its
    /// write. The end waits for the check's budget lock, so the code
    /// verifies and the end finds nothing pending, never both (before, the
    /// end deleted the challenge under the check's feet and the code still
    /// verified).
    func testEndingPendingChallengesWaitsForACheckOnAnotherInstance() async throws {
        let check = try await checkHeldAtItsWrite()
        let ended = Mutex<Result<Int, any Error>?>(nil)
        let endDone = DispatchSemaphore(value: 0)
        let (sms, user) = (check.f.sms, check.user)
        Thread.detachNewThread {
            let result = Result { try sms.endPending(of: user, reason: "password_changed") }
            ended.withLock { $0 = result }
            endDone.signal()
        }
        // A wrong order gets its chance here: the end must not finish while the check holds the budget.
        XCTAssertEqual(endDone.wait(timeout: .now() + 0.3), .timedOut, "the end waited for the check")
        XCTAssertEqual(try XCTUnwrap(check.finish()).get(), .verified)
        XCTAssertEqual(endDone.wait(timeout: .now() + 10), .success)
        XCTAssertEqual(try XCTUnwrap(ended.withLock { $0 }).get(), 0, "nothing pending was left to end")
        XCTAssertEqual(try XCTUnwrap(check.f.challengeStore.challenge(id: check.challenge)).challenge.state, .verified)
    }

    /// Should a writer outside the budget lock remove a challenge between a
    /// check's read and its write, the check reports no outcome: the store
    /// says the write found nothing, and the code answers `ChallengeExpired`.
    func testACheckWhoseChallengeVanishedBeforeItsWriteVerifiesNothing() async throws {
        let check = try await checkHeldAtItsWrite()
        XCTAssertEqual(try check.f.challengeStore.endPending(of: check.user), 1,
                       "removed under the check's feet, without its lock")
        XCTAssertThrowsError(try XCTUnwrap(check.finish()).get()) { error in
            XCTAssertEqual(error as? RiegelError, .challengeExpired)
        }
        XCTAssertNil(try check.f.challengeStore.challenge(id: check.challenge), "the write did not bring the challenge back")
    }
}

/// Trusted devices in the login flows (issue 6 wired into issue 5's flows).
final class TrustedDeviceLoginTests: XCTestCase {
    let strong = "Kl4vier-Sonate-Mond"
    let phone = "+49 151 23456789"

    func lastCode(_ f: AccountServiceFixture) throws -> String {
        let text = try XCTUnwrap(f.gateway.delivered.last?.text)
        return String(try XCTUnwrap(text.split { !$0.isASCII || !$0.isNumber }.first { $0.count == 6 }))
    }

    /// Enrols "sofia", logs in with the code and remembers the browser; returns the session and device token.
    func remembered(_ f: AccountServiceFixture, label: String? = "Firefox on the laptop") async throws
        -> (session: NewSession, deviceToken: String) {
        let (_, enrolment) = try await f.service.register(username: "sofia", password: strong, email: nil, phone: phone,
                                                          client: .init())
        _ = try await f.service.verifyChallenge(id: try XCTUnwrap(enrolment).id.rawValue, code: try lastCode(f),
                                                rememberDevice: false, deviceLabel: nil, client: .init())
        let c = try await f.service.login(username: "sofia", password: strong, client: .init()).challenge
        let result = try await f.service.verifyChallenge(id: c.id.rawValue, code: try lastCode(f), rememberDevice: true,
                                                         deviceLabel: label, client: .init(userAgent: "Firefox"))
        return (try XCTUnwrap(result.session), try XCTUnwrap(result.deviceToken))
    }

    func testARememberedBrowserLogsInWithoutACodeAndItsTokenRotates() async throws {
        let f = AccountServiceFixture()
        let (_, first) = try await remembered(f)
        let sent = f.gateway.delivered.count
        let outcome = try await f.service.login(username: "sofia", password: strong, deviceToken: first, client: .init())
        guard case .session(let session, let next?) = outcome else { return XCTFail("expected a session and a successor token") }
        XCTAssertEqual(f.gateway.delivered.count, sent, "no SMS for a trusted device")
        XCTAssertEqual(session.info.assurance, .secondFactor)
        XCTAssertEqual(try f.sessions.list(token: session.token).first { $0.info.sessionID == session.info.sessionID }?.method,
                       .trustedDevice)
        XCTAssertNotEqual(next, first)
        let again = try await f.service.login(username: "sofia", password: strong, deviceToken: next, client: .init())
        guard case .session(_, let third?) = again else { return XCTFail("the successor token must work") }
        XCTAssertNotEqual(third, next)
    }

    func testAReplayedDeviceTokenRevokesTheDeviceAndItsSessionsAndAsksForTheCode() async throws {
        let f = AccountServiceFixture()
        let (_, first) = try await remembered(f)
        guard case .session(let viaDevice, let next?) = try await f.service.login(
            username: "sofia", password: strong, deviceToken: first, client: .init()) else { return XCTFail() }
        // The thief presents the rotated token: the device goes, and so does the session it gave.
        let outcome = try await f.service.login(username: "sofia", password: strong, deviceToken: first, client: .init())
        XCTAssertNoThrow(try outcome.challenge, "a replayed token is a new device: SMS")
        XCTAssertThrowsError(try f.sessions.check(token: viaDevice.token))
        let owner = try await f.service.login(username: "sofia", password: strong, deviceToken: next, client: .init())
        XCTAssertNoThrow(try owner.challenge, "the revoked device's current token no longer skips the code")
        let types = try f.auditLog.query(AuditFilter(), limit: nil).entries.map(\.event.type)
        XCTAssertTrue(types.contains { $0.hasPrefix("device.") && $0.contains("replay") }, "\(types)")
    }

    func testAnotherUsersDeviceTokenIsJustANewDevice() async throws {
        let f = AccountServiceFixture()
        let (_, token) = try await remembered(f)
        let (_, enrolment) = try await f.service.register(username: "max", password: strong, email: nil,
                                                          phone: "+49 151 11111111", client: .init())
        _ = try await f.service.verifyChallenge(id: try XCTUnwrap(enrolment).id.rawValue, code: try lastCode(f),
                                                rememberDevice: false, deviceLabel: nil, client: .init())
        let max = try await f.service.login(username: "max", password: strong, deviceToken: token, client: .init())
        XCTAssertNoThrow(try max.challenge, "another user's device token asks for the code")
        guard case .session = try await f.service.login(username: "sofia", password: strong, deviceToken: token,
                                                        client: .init()) else { return XCTFail("sofia's device must still work") }
    }

    func testABadDeviceLabelIsRefusedBeforeTheCodeIsSpent() async throws {
        let f = AccountServiceFixture()
        _ = try await remembered(f)
        let c = try await f.service.login(username: "sofia", password: strong, client: .init()).challenge
        let code = try lastCode(f)
        do {
            _ = try await f.service.verifyChallenge(id: c.id.rawValue, code: code, rememberDevice: true,
                                                    deviceLabel: "bad\u{7}label", client: .init())
            XCTFail("a control character in the label was accepted")
        } catch RiegelError.invalidDeviceLabel {}
        let result = try await f.service.verifyChallenge(id: c.id.rawValue, code: code, rememberDevice: false,
                                                         deviceLabel: nil, client: .init())
        XCTAssertNotNil(result.session, "the code still works")
    }

    func testPasswordResetDisableAndPhoneChangeRevokeTrustedDevices() async throws {
        for step in ["reset", "disable", "phone"] {
            let f = AccountServiceFixture()
            let (session, token) = try await remembered(f)
            switch step {
            case "reset":
                let begun = try await f.service.beginPasswordReset(username: "sofia", client: .init())
                let completed = try await f.service.completePasswordReset(token: try XCTUnwrap(begun.token),
                                                                          newPassword: "Ganz-Neu-Und-Lang-7")
                let c = try XCTUnwrap(completed)
                _ = try await f.service.verifyChallenge(id: c.id.rawValue, code: try lastCode(f), rememberDevice: false,
                                                        deviceLabel: nil, client: .init())
            case "disable":
                try await f.service.disableSecondFactor(token: session.token, password: strong)
                // Turn it on again so a device token would matter.
                let renewed = try await f.service.login(username: "sofia", password: strong, client: .init()).session
                let c = try await f.service.enrollPhone(token: renewed.token, phone: phone, password: strong)
                _ = try await f.service.verifyChallenge(id: c.id.rawValue, code: try lastCode(f), rememberDevice: false,
                                                        deviceLabel: nil, client: .init())
            default:
                let c = try await f.service.enrollPhone(token: session.token, phone: "+49 151 99999999", password: strong)
                _ = try await f.service.verifyChallenge(id: c.id.rawValue, code: try lastCode(f), rememberDevice: false,
                                                        deviceLabel: nil, client: .init())
            }
            let password = step == "reset" ? "Ganz-Neu-Und-Lang-7" : strong
            let outcome = try await f.service.login(username: "sofia", password: password, deviceToken: token,
                                                    client: .init())
            XCTAssertNoThrow(try outcome.challenge, "\(step) must revoke the trusted device")
        }
    }
}

/// A gateway that fails a number of times, then delivers.
final class FlakyGateway: SMSGateway, @unchecked Sendable {
    let name = "flaky"
    private let lock = NSLock()
    private var remainingFailures: Int
    private(set) var attempts = 0

    init(failures: Int) { remainingFailures = failures }

    func send(_ message: SMSMessage) async throws {
        try lock.withLock {
            attempts += 1
            if remainingFailures > 0 {
                remainingFailures -= 1
                throw SMSGatewayError.unavailable(gateway: name, reason: "down")
            }
        }
    }

    func checkReadiness() async throws {}
}

/// The SMS counter store of one instance, running a step of another
/// instance once, just before its next send-window update (for a resend:
/// between its first look at the challenge and its write) or its next budget
/// update (for a verification: between its first read and its decision).
final class InterleavingSMSCounters: @unchecked Sendable {
    /// Where the step runs.
    enum Point { case sendSlot, budgetUpdate }

    private let lock = NSLock()
    private var step: (point: Point, run: () -> Void)?
    private var didRun = false

    /// Whether the step ran.
    var ran: Bool { lock.withLock { didRun } }

    /// Runs `step` before the next send-window update.
    func beforeNextSendSlot(_ step: @escaping () -> Void) {
        lock.withLock { self.step = (.sendSlot, step) }
    }

    /// Runs `step` before the next budget update.
    func beforeNextBudgetUpdate(_ step: @escaping () -> Void) {
        lock.withLock { self.step = (.budgetUpdate, step) }
    }

    /// `store`, with the step run where it was asked for.
    func wrapping(_ store: InMemorySMSCounterStore) -> any SMSCounterStore { Store(inner: store, owner: self) }

    private func take(_ point: Point) -> (() -> Void)? {
        lock.withLock {
            guard let step, step.point == point else { return nil }
            self.step = nil
            didRun = true
            return step.run
        }
    }

    private struct Store: SMSCounterStore {
        let inner: InMemorySMSCounterStore
        let owner: InterleavingSMSCounters

        func sendWindow(_ key: String) throws -> SMSSendWindow? { try inner.sendWindow(key) }
        func updateSendWindows<T>(_ keys: [String], now: Instant, _ body: (inout [SMSSendWindow?]) throws -> T) throws -> T {
            owner.take(.sendSlot)?()
            return try inner.updateSendWindows(keys, now: now, body)
        }
        func budget(of userID: UserID) throws -> SecondFactorBudget? { try inner.budget(of: userID) }
        func updateBudget<T>(of userID: UserID, _ body: (inout SecondFactorBudget?) throws -> T) throws -> T {
            owner.take(.budgetUpdate)?()
            return try inner.updateBudget(of: userID, body)
        }
        func purgeSendWindows(before: Instant) throws -> Int { try inner.purgeSendWindows(before: before) }
    }
}

/// An SMS challenge store that stops the first challenge write until
/// `release` is signalled (`atWrite` says it got there); everything else
/// goes straight to `inner`.
final class PausingChallengeStore: SMSChallengeStore, @unchecked Sendable {
    let inner: InMemorySMSChallengeStore
    let atWrite = DispatchSemaphore(value: 0)
    let release = DispatchSemaphore(value: 0)
    private let once = NSLock()
    private var paused = false

    init(inner: InMemorySMSChallengeStore) {
        self.inner = inner
    }

    func update(_ challenge: SMSChallenge, verifiedAt: Instant?) throws -> Bool {
        let first = once.withLock { () -> Bool in
            defer { paused = true }
            return !paused
        }
        if first {
            atWrite.signal()
            release.wait()
        }
        return try inner.update(challenge, verifiedAt: verifiedAt)
    }

    func create(_ challenge: StoredChallenge, message: QueuedSMS) throws -> Int64 {
        try inner.create(challenge, message: message)
    }
    func challenge(id: ChallengeID) throws -> StoredChallenge? { try inner.challenge(id: id) }
    func resend(_ challenge: SMSChallenge, message: QueuedSMS) throws -> Int64 {
        try inner.resend(challenge, message: message)
    }
    func enqueueNotice(_ message: QueuedSMS, verifiedAt: Instant) throws -> Int64 {
        try inner.enqueueNotice(message, verifiedAt: verifiedAt)
    }
    func discard(id: ChallengeID) throws { try inner.discard(id: id) }
    func endPending(of userID: UserID) throws -> Int { try inner.endPending(of: userID) }
    func purge(now: Instant, statsBefore: Instant) throws -> Int { try inner.purge(now: now, statsBefore: statsBefore) }
    func pendingCount(now: Instant) throws -> Int { try inner.pendingCount(now: now) }
    func message(id: Int64) throws -> QueuedSMS? { try inner.message(id: id) }
    func dueMessages(now: Instant, limit: Int) throws -> [QueuedSMS] { try inner.dueMessages(now: now, limit: limit) }
    func markSent(id: Int64, at: Instant, gateway: String) throws { try inner.markSent(id: id, at: at, gateway: gateway) }
    func markFailed(id: Int64, attempts: Int, nextAttemptAt: Instant?) throws {
        try inner.markFailed(id: id, attempts: attempts, nextAttemptAt: nextAttemptAt)
    }
    func stats(since: Instant) throws -> [SMSCountryStats] { try inner.stats(since: since) }
}
