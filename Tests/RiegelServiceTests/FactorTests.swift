import Foundation
import MetricsTestKit
import RiegelCore
@testable import RiegelService
import RiegelTesting
import XCTest

/// The factor seam with authenticator apps (TOTP) and recovery codes, over
/// in-memory ports with a manual clock and seeded randomness (issue 16).
final class FactorTests: XCTestCase {
    let strong = "Kl4vier-Sonate-Mond"
    let phone = "+49 151 23456789"

    // MARK: helpers

    /// A password session of a new account without a second factor.
    func passwordSession(_ f: AccountServiceFixture, _ name: String = "tara") async throws -> NewSession {
        _ = try await f.service.register(username: name, password: strong, email: nil, phone: nil, client: .init())
        guard case .session(let session, _) = try await f.service.login(username: name, password: strong, client: .init())
        else { throw UnexpectedChallenge() }
        return session
    }

    /// The code the app with `secret` shows `stepOffset` steps from now.
    func code(_ f: AccountServiceFixture, _ secret: String, stepOffset: Int64 = 0) throws -> String {
        TOTP.code(secret: try XCTUnwrap(Base32.decode(secret)),
                  step: TOTP.step(at: f.clock.now(), policy: .default) + stepOffset, digits: 6, mac: f.mac)
    }

    /// An account whose only factor is a confirmed app; returns the renewed session and the secret.
    func appAccount(_ f: AccountServiceFixture, _ name: String = "tara") async throws -> (NewSession, String, FactorID) {
        let session = try await passwordSession(f, name)
        let enrolment = try await f.service.enrollFactor(token: session.token, password: strong, kind: .totp,
                                                         label: "Phone")
        let secret = try XCTUnwrap(enrolment.secret)
        let renewed = try f.service.confirmFactor(token: session.token, factorID: enrolment.factorID.rawValue,
                                                  code: try code(f, secret))
        // The confirming code's step is spent: later codes come from the next step.
        f.clock.advance(seconds: 30)
        return (renewed, secret, enrolment.factorID)
    }

    func smsCode(_ f: AccountServiceFixture) throws -> String {
        let text = try XCTUnwrap(f.gateway.delivered.last?.text, "no SMS was sent")
        return String(try XCTUnwrap(text.split { !$0.isASCII || !$0.isNumber }.first { $0.count == 6 }))
    }

    func loginChallenge(_ f: AccountServiceFixture, _ name: String = "tara") async throws -> ChallengeView {
        try await f.service.login(username: name, password: strong, client: .init()).challenge
    }

    func verify(_ f: AccountServiceFixture, _ challenge: ChallengeView, _ code: String) async throws -> ChallengeResult {
        try await f.service.verifyChallenge(id: challenge.id.rawValue, code: code, rememberDevice: false,
                                            deviceLabel: nil, client: .init())
    }

    func events(_ f: AccountServiceFixture) throws -> [AuditEvent] {
        try f.auditLog.query(AuditFilter(), limit: nil).entries.map(\.event)
    }

    // MARK: TOTP enrolment

    func testEnrolmentReturnsTheSecretAndAnOtpauthURIAndTheAppIsUsedOnlyAfterItsFirstCode() async throws {
        let f = AccountServiceFixture()
        let session = try await passwordSession(f)
        let e = try await f.service.enrollFactor(token: session.token, password: strong, kind: .totp, label: "Phone")
        let secret = try XCTUnwrap(e.secret)
        XCTAssertEqual(Base32.decode(secret)?.count, 20, "160-bit secret")
        XCTAssertEqual(e.uri, "otpauth://totp/Nordversicherung:tara?secret=\(secret)&issuer=Nordversicherung"
                       + "&algorithm=SHA1&digits=6&period=30")
        XCTAssertEqual(try f.service.listFactors(token: session.token), [], "a pending app is not a factor yet")
        XCTAssertFalse(try XCTUnwrap(f.accounts.account(usernameKey: "tara")).secondFactorEnabled)
        let stored = try XCTUnwrap(f.factorStore.factor(id: e.factorID))
        XCTAssertEqual(stored.state, .pending)
        XCTAssertEqual(stored.secret?.keyID, KeyID(rawValue: 1), "sealed under the otp key")
        let renewed = try f.service.confirmFactor(token: session.token, factorID: e.factorID.rawValue,
                                                  code: try code(f, secret))
        XCTAssertEqual(renewed.info.assurance, .secondFactor)
        XCTAssertNotEqual(renewed.token, session.token, "the privilege change renews the token")
        XCTAssertTrue(try XCTUnwrap(f.accounts.account(usernameKey: "tara")).secondFactorEnabled)
        let listed = try f.service.listFactors(token: renewed.token)
        XCTAssertEqual(listed.map(\.kind), [.totp])
        XCTAssertEqual(listed.first?.label, "Phone")
        XCTAssertEqual(listed.first?.createdAt, f.clock.now())
        XCTAssertTrue(try events(f).contains { $0.type == "second_factor.enabled" && $0.details["factor"] == "totp" })
    }

    func testConfirmingRefusesBadInputAndEachRefusalChangesNothing() async throws {
        let f = AccountServiceFixture()
        let session = try await passwordSession(f)
        let e = try await f.service.enrollFactor(token: session.token, password: strong, kind: .totp, label: "Phone")
        let secret = try XCTUnwrap(e.secret)
        let id = e.factorID.rawValue
        for bad in ["12345", "1234567", "12a456", "", "١٢٣٤٥٦"] {
            await expect(.malformedCode(reason: "a code is 6 digits")) {
                _ = try f.service.confirmFactor(token: session.token, factorID: id, code: bad)
            }
        }
        XCTAssertNil(try f.counters.budget(of: try XCTUnwrap(f.accounts.account(usernameKey: "tara")).id),
                     "malformed codes are not counted")
        await expect(.noSuchFactor) {
            _ = try f.service.confirmFactor(token: session.token, factorID: "f_unknown", code: try self.code(f, secret))
        }
        // A code from the wrong step: two steps back is outside the skew. It was
        // compared with three codes, so three of the ten in the budget are gone.
        await expect(.invalidCode(attemptsLeft: 7)) {
            _ = try f.service.confirmFactor(token: session.token, factorID: id, code: try self.code(f, secret, stepOffset: -2))
        }
        XCTAssertEqual(try f.factorStore.factor(id: e.factorID)?.state, .pending, "a wrong code changed nothing")
        XCTAssertFalse(try XCTUnwrap(f.accounts.account(usernameKey: "tara")).secondFactorEnabled)
        // One step of skew is accepted.
        let renewed = try f.service.confirmFactor(token: session.token, factorID: id,
                                                  code: try code(f, secret, stepOffset: 1))
        await expect(.noPendingEnrolment) {
            _ = try f.service.confirmFactor(token: renewed.token, factorID: id, code: try self.code(f, secret, stepOffset: 1))
        }
    }

    func testAnEnrolmentWaitsTenMinutesForItsFirstCode() async throws {
        let f = AccountServiceFixture()
        let session = try await passwordSession(f)
        let e = try await f.service.enrollFactor(token: session.token, password: strong, kind: .totp, label: nil)
        f.clock.advance(seconds: 601)
        await expect(.noPendingEnrolment) {
            _ = try f.service.confirmFactor(token: session.token, factorID: e.factorID.rawValue,
                                            code: try self.code(f, try XCTUnwrap(e.secret)))
        }
        XCTAssertEqual(try f.factorStore.factor(id: e.factorID)?.label, "Authenticator app", "the default label")
    }

    func testASecondAppWithTheSameLabelIsRefusedAndChangesNothing() async throws {
        let f = AccountServiceFixture()
        let (session, _, first) = try await appAccount(f)
        await expect(.factorLabelTaken) {
            _ = try await f.service.enrollFactor(token: session.token, password: self.strong, kind: .totp, label: " Phone ")
        }
        XCTAssertEqual(try f.factorStore.factors(of: try XCTUnwrap(f.accounts.account(usernameKey: "tara")).id).map(\.id),
                       [first], "no second factor row")
        await expect(.invalidFactorLabel(reason: "the label is empty: give the app a name")) {
            _ = try await f.service.enrollFactor(token: session.token, password: self.strong, kind: .totp, label: "  ")
        }
        let other = try await f.service.enrollFactor(token: session.token, password: strong, kind: .totp, label: "Tablet")
        XCTAssertNotNil(other.secret, "another label is fine")
    }

    func testEnrollingNeedsThePassword() async throws {
        let f = AccountServiceFixture()
        let session = try await passwordSession(f)
        await expect(.invalidCredentials) {
            _ = try await f.service.enrollFactor(token: session.token, password: "wrong", kind: .totp, label: nil)
        }
        await expect(.secondFactorNotEnrolled) {
            _ = try await f.service.enrollFactor(token: session.token, password: self.strong, kind: .recoveryCode,
                                                 label: nil)
        }
        await expect(.noSuchFactor) {
            _ = try await f.service.enrollFactor(token: session.token, password: self.strong, kind: .sms, label: nil)
        }
    }

    // MARK: TOTP login, replay, skew, lockout

    func testLoginWithAnAppIsAChallengeOfTheAppAndSendsNoSMS() async throws {
        let f = AccountServiceFixture()
        let (_, secret, _) = try await appAccount(f)
        let challenge = try await loginChallenge(f)
        XCTAssertEqual(challenge.factor, .totp)
        XCTAssertEqual(challenge.factors, [.totp])
        XCTAssertNil(challenge.maskedPhone)
        XCTAssertEqual(challenge.purpose, .login)
        XCTAssertTrue(f.gateway.delivered.isEmpty, "nothing is sent")
        let result = try await verify(f, challenge, try code(f, secret))
        let session = try XCTUnwrap(result.session)
        XCTAssertEqual(session.info.assurance, .secondFactor)
        XCTAssertEqual(try f.sessions.list(token: session.token).first { $0.info.sessionID == session.info.sessionID }?.method,
                       .totp)
        XCTAssertTrue(try events(f).contains { $0.type == "login.succeeded" && $0.reason == "totp" })
        await expect(.challengeNotResendable) { _ = try await f.service.resendChallenge(id: challenge.id.rawValue) }
    }

    func testACodeIsAcceptedOnceAndAReplayIsRefusedWithoutCounting() async throws {
        let f = AccountServiceFixture()
        let (_, secret, _) = try await appAccount(f)
        let code = try code(f, secret)
        _ = try await verify(f, try await loginChallenge(f), code)
        let second = try await loginChallenge(f)
        await expect(.codeAlreadyUsed) { _ = try await self.verify(f, second, code) }
        // An earlier step's code (still inside the skew) is refused too: steps only move forward.
        await expect(.codeAlreadyUsed) { _ = try await self.verify(f, second, try self.code(f, secret, stepOffset: -1)) }
        let user = try XCTUnwrap(f.accounts.account(usernameKey: "tara")).id
        XCTAssertTrue(try f.counters.budget(of: user)?.failures.isEmpty ?? true, "a replay is not counted")
        f.clock.advance(seconds: 30)
        let result = try await verify(f, second, try self.code(f, secret))
        XCTAssertNotNil(result.session, "the challenge still works with the next step's code")
    }

    func testParallelRequestsWithOneCodeHaveOneWinner() async throws {
        let f = AccountServiceFixture()
        let (_, secret, _) = try await appAccount(f)
        var challenges: [ChallengeView] = []
        for _ in 0..<6 { challenges.append(try await loginChallenge(f)) }
        let code = try code(f, secret)
        let service = f.service
        let ids = challenges.map(\.id.rawValue)
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for id in ids {
                group.addTask {
                    let result = try? await service.verifyChallenge(id: id, code: code, rememberDevice: false,
                                                                    deviceLabel: nil, client: .init())
                    return result?.session != nil
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        XCTAssertEqual(outcomes.filter { $0 }.count, 1, "one code opens one session")
    }

    func testOneStepOfSkewEitherWayAndNotTwo() async throws {
        let f = AccountServiceFixture()
        let (_, secret, _) = try await appAccount(f)
        let c1 = try await loginChallenge(f)
        await expect(.invalidCode(attemptsLeft: 4)) { _ = try await self.verify(f, c1, try self.code(f, secret, stepOffset: 2)) }
        let ahead = try await verify(f, c1, try code(f, secret, stepOffset: 1))
        XCTAssertNotNil(ahead.session, "a clock one step ahead")
        f.clock.advance(seconds: 90)
        let c2 = try await loginChallenge(f)
        let behind = try await verify(f, c2, try code(f, secret, stepOffset: -1))
        XCTAssertNotNil(behind.session, "a clock one step behind")
    }

    func testMalformedCodesAreRefusedWithoutCounting() async throws {
        let f = AccountServiceFixture()
        let (_, _, _) = try await appAccount(f)
        let c = try await loginChallenge(f)
        await expect(.malformedCode(reason: "a code is 6 digits")) { _ = try await self.verify(f, c, "12345") }
        await expect(.malformedCode(reason: "a code is 6 digits")) { _ = try await self.verify(f, c, "12 456") }
        XCTAssertEqual(try f.factorStore.challenge(id: c.id)?.attemptsLeft, 5, "no attempt used")
        await expect(.challengeExpired) { _ = try await f.service.verifyChallenge(
            id: "c_unknown", code: "123456", rememberDevice: false, deviceLabel: nil, client: .init()) }
    }

    /// An account with an app and then a phone; returns the session and the app's secret.
    func mixedAccount(_ f: AccountServiceFixture) async throws -> (NewSession, String) {
        let (session, secret, _) = try await appAccount(f)
        let enrol = try await f.service.enrollPhone(token: session.token, phone: phone, password: strong)
        let result = try await verify(f, enrol, try smsCode(f))
        XCTAssertEqual(result.phoneEnrolment?.replaced, false)
        return (try XCTUnwrap(result.session), secret)
    }

    func testMixedFactorsDefaultToTheAppAndTheUserCanAskForSMS() async throws {
        let f = AccountServiceFixture()
        let (session, _) = try await mixedAccount(f)
        XCTAssertEqual(try f.service.listFactors(token: session.token).map(\.kind), [.sms, .totp])
        XCTAssertEqual(try f.service.listFactors(token: session.token).first?.label, "+49 *** *** **89")
        let sent = f.gateway.delivered.count
        let challenge = try await loginChallenge(f)
        XCTAssertEqual(challenge.factor, .totp)
        XCTAssertEqual(challenge.factors, [.totp, .sms])
        XCTAssertEqual(f.gateway.delivered.count, sent, "no SMS for the default app challenge")
        let bySMS = try await f.service.beginChallenge(id: challenge.id.rawValue, kind: .sms, client: .init())
        XCTAssertEqual(bySMS.factor, .sms)
        XCTAssertEqual(bySMS.maskedPhone, "+49 *** *** **89")
        XCTAssertEqual(bySMS.factors, [.totp, .sms])
        XCTAssertEqual(bySMS.purpose, .login)
        XCTAssertEqual(f.gateway.delivered.count, sent + 1)
        let result = try await verify(f, bySMS, try smsCode(f))
        let opened = try XCTUnwrap(result.session)
        XCTAssertEqual(try f.sessions.list(token: opened.token).first { $0.info.sessionID == opened.info.sessionID }?.method,
                       .sms)
        await expect(.noSuchFactor) {
            _ = try await f.service.beginChallenge(id: challenge.id.rawValue, kind: .recoveryCode, client: .init())
        }
        await expect(.challengeExpired) {
            _ = try await f.service.beginChallenge(id: "c_nothing", kind: .sms, client: .init())
        }
        XCTAssertTrue(try events(f).contains { $0.type == "challenge.switched" && $0.reason == "sms" })
    }

    /// A wrong app code was compared with `codesAccepted` (3) valid codes,
    /// so it counts three wrong codes against the budget SMS codes share: four
    /// wrong app codes lock what ten wrong SMS codes lock, and the guessing
    /// bound of docs/threat-model.md holds for apps as for SMS.
    func testWrongAppCodesCountAgainstTheSameLockoutAsSMSCodes() async throws {
        let f = AccountServiceFixture()
        let (_, secret) = try await mixedAccount(f)
        f.clock.advance(seconds: 60)
        XCTAssertEqual(TOTPPolicy().codesAccepted, 3)
        let c = try await loginChallenge(f)
        for attempt in 0..<4 {
            await expect(.invalidCode(attemptsLeft: 4 - attempt)) {
                _ = try await self.verify(f, c, try self.code(f, secret, stepOffset: Int64(10 + attempt)))
            }
        }
        // 4 × 3 = 12 wrong codes' worth, over the threshold of 10: locked, SMS codes too.
        let next = try await loginChallenge(f)
        let bySMS = try await f.service.beginChallenge(id: next.id.rawValue, kind: .sms, client: .init())
        let smsCode = try smsCode(f)
        await expect(.tooManyAttempts(retryAfterSeconds: 10_800)) { _ = try await self.verify(f, bySMS, smsCode) }
        await expect(.tooManyAttempts(retryAfterSeconds: 10_800)) { _ = try await self.verify(f, next, try self.code(f, secret)) }
    }

    func testThreeWrongAppCodesLeaveOneGuessOfBudgetNotTheSMSNine() async throws {
        let f = AccountServiceFixture()
        let (_, secret) = try await mixedAccount(f)
        f.clock.advance(seconds: 60)
        let c = try await loginChallenge(f)
        for attempt in 0..<3 {
            await expect(.invalidCode(attemptsLeft: 4 - attempt)) {
                _ = try await self.verify(f, c, try self.code(f, secret, stepOffset: Int64(10 + attempt)))
            }
        }
        // 9 of 10 used: the right code still opens the session.
        let result = try await verify(f, c, try code(f, secret))
        XCTAssertNotNil(result.session)
    }

    // MARK: step-up

    func testStepUpWithTheApp() async throws {
        let f = AccountServiceFixture()
        let (_, secret) = try await mixedAccount(f)
        f.clock.advance(seconds: 60)
        let login = try await verify(f, try await loginChallenge(f), try code(f, secret))
        let session = try XCTUnwrap(login.session)
        f.clock.advance(seconds: 60)
        let stepUp = try await f.service.beginStepUp(token: session.token, factor: .totp)
        XCTAssertEqual(stepUp.purpose, .stepUp)
        XCTAssertEqual(stepUp.factor, .totp)
        let stepped = try await verify(f, stepUp, try code(f, secret))
        let raised = try XCTUnwrap(stepped.session)
        XCTAssertEqual(raised.info.sessionID, session.info.sessionID)
        XCTAssertEqual(raised.info.secondFactorAt, f.clock.now())
        let entry = try XCTUnwrap(f.sessions.list(token: raised.token).first { $0.info.sessionID == session.info.sessionID })
        XCTAssertEqual(entry.info.assurance, .secondFactor)
        let sms = try await f.service.beginStepUp(token: raised.token, factor: .sms)
        XCTAssertEqual(sms.factor, .sms, "the user may step up by SMS instead")
        let plain = try await passwordSession(f, "paul")
        await expect(.secondFactorNotEnrolled) { _ = try await f.service.beginStepUp(token: plain.token, factor: .totp) }
    }

    // MARK: metrics

    func testAppAndRecoveryCodeVerificationsAreCountedByFactorAndOutcome() async throws {
        let m = TestMetrics()
        let f = AccountServiceFixture(metrics: RiegelMetrics(factory: m))
        let session = try await passwordSession(f)
        let e = try await f.service.enrollFactor(token: session.token, password: strong, kind: .totp, label: "Phone")
        let secret = try XCTUnwrap(e.secret)
        let right = try code(f, secret)
        XCTAssertThrowsError(try f.service.confirmFactor(token: session.token, factorID: e.factorID.rawValue,
                                                         code: right == "000000" ? "111111" : "000000"))
        let renewed = try f.service.confirmFactor(token: session.token, factorID: e.factorID.rawValue, code: right)
        // A login challenge answered with the code just spent (a replay), then with the next step's.
        let replayed = try await loginChallenge(f)
        do {
            _ = try await verify(f, replayed, right)
            XCTFail("a TOTP code is accepted once")
        } catch RiegelError.codeAlreadyUsed {}
        f.clock.advance(seconds: 30)
        _ = try await verify(f, try await loginChallenge(f), try code(f, secret))
        let set = try await f.service.enrollFactor(token: renewed.token, password: strong, kind: .recoveryCode,
                                                   label: nil)
        let byCode = try await f.service.beginChallenge(id: try await loginChallenge(f).id.rawValue,
                                                        kind: .recoveryCode, client: .init())
        _ = try await verify(f, byCode, try XCTUnwrap(set.recoveryCodes?.first))

        func count(_ factor: String, _ outcome: String) throws -> Int64 {
            try m.expectCounter("riegel_second_factor_verifications_total",
                                [("factor", factor), ("outcome", outcome)]).totalValue
        }
        XCTAssertEqual(try count("totp", "wrong_code"), 1, "the enrolment's wrong code")
        XCTAssertEqual(try count("totp", "success"), 2, "the enrolment's code and the login's")
        XCTAssertEqual(try count("totp", "already_used"), 1, "the replay")
        XCTAssertEqual(try count("recovery_code", "success"), 1)
        XCTAssertThrowsError(try count("sms", "success"), "no SMS code was verified")
    }

    // MARK: recovery codes

    func testRecoveryCodesAreShownOnceStoredAsDigestsAndEachWorksOnce() async throws {
        let f = AccountServiceFixture()
        let (session, _) = try await mixedAccount(f)
        let set = try await f.service.enrollFactor(token: session.token, password: strong, kind: .recoveryCode,
                                                   label: nil)
        let codes = try XCTUnwrap(set.recoveryCodes)
        XCTAssertEqual(codes.count, 10)
        XCTAssertEqual(Set(codes).count, 10)
        for c in codes { XCTAssertNotNil(RecoveryCode(parsing: c), c) }
        let user = try XCTUnwrap(f.accounts.account(usernameKey: "tara")).id
        XCTAssertEqual(try f.factorStore.recoveryCodesLeft(of: user), 10)
        XCTAssertEqual(try f.service.listFactors(token: session.token).last?.codesLeft, 10)

        let challenge = try await loginChallenge(f)
        let byCode = try await f.service.beginChallenge(id: challenge.id.rawValue, kind: .recoveryCode, client: .init())
        XCTAssertEqual(byCode.factor, .recoveryCode)
        XCTAssertEqual(byCode.factors, [.totp, .sms, .recoveryCode])
        let sent = f.gateway.delivered.count
        // Case, spaces and hyphens do not matter.
        let result = try await verify(f, byCode, " " + codes[3].uppercased().replacingOccurrences(of: "-", with: " "))
        let opened = try XCTUnwrap(result.session)
        XCTAssertEqual(try f.sessions.list(token: opened.token).first { $0.info.sessionID == opened.info.sessionID }?.method,
                       .recoveryCode)
        XCTAssertEqual(try f.factorStore.recoveryCodesLeft(of: user), 9)
        XCTAssertTrue(try events(f).contains { $0.type == "factor.recovery_code_used" && $0.details["codes_left"] == "9" })
        let dispatched = await f.sms.dispatcher.dispatchDue()
        XCTAssertEqual(dispatched, 1, "a notice is queued for the dispatcher")
        let notice = try XCTUnwrap(f.gateway.delivered.dropFirst(sent).first, "the phone hears of it")
        XCTAssertEqual(notice.to, "+4915123456789")
        XCTAssertTrue(notice.text.contains("Wiederherstellungscode verwendet"), "in the default language (de)")
        XCTAssertFalse(notice.text.contains { $0.isNumber }, "no digits in the notice")

        let again = try await f.service.beginChallenge(id: (try await loginChallenge(f)).id.rawValue, kind: .recoveryCode,
                                                       client: .init())
        await expect(.invalidCode(attemptsLeft: 4)) { _ = try await self.verify(f, again, codes[3]) }
        await expect(.malformedCode(reason: "a recovery code is 10 letters and digits")) {
            _ = try await self.verify(f, again, "abc")
        }
        // A new set replaces the old one.
        let fifth = try await verify(f, again, codes[4])
        let renewed = try XCTUnwrap(fifth.session)
        let next = try await f.service.enrollFactor(token: renewed.token, password: strong, kind: .recoveryCode, label: nil)
        XCTAssertEqual(try f.factorStore.recoveryCodesLeft(of: user), 10)
        let third = try await f.service.beginChallenge(id: (try await loginChallenge(f)).id.rawValue, kind: .recoveryCode,
                                                       client: .init())
        await expect(.invalidCode(attemptsLeft: 4)) { _ = try await self.verify(f, third, codes[5]) }
        let fromNewSet = try await verify(f, third, try XCTUnwrap(next.recoveryCodes?.first))
        XCTAssertNotNil(fromNewSet.session)
        // Nothing secret in the audit trail or the logs.
        let trail = try events(f).map { "\($0)" }.joined()
        let logs = f.logs.lines.withLock { $0.joined() }
        for code in codes + (next.recoveryCodes ?? []) {
            XCTAssertFalse(trail.contains(code) || logs.contains(code), "a recovery code leaked")
        }
    }

    func testARecoveryCodeStepsUpButEnrollingANewAppStillNeedsThePassword() async throws {
        let f = AccountServiceFixture()
        let (session, _) = try await mixedAccount(f)
        let set = try await f.service.enrollFactor(token: session.token, password: strong, kind: .recoveryCode,
                                                   label: nil)
        let codes = try XCTUnwrap(set.recoveryCodes)
        f.clock.advance(seconds: 60)
        let stepUp = try await f.service.beginStepUp(token: session.token, factor: .recoveryCode)
        let byCode = try await verify(f, stepUp, codes[0])
        let raised = try XCTUnwrap(byCode.session)
        await expect(.invalidCredentials) {
            _ = try await f.service.enrollFactor(token: raised.token, password: "not-the-password", kind: .totp,
                                                 label: "New phone")
        }
        let e = try await f.service.enrollFactor(token: raised.token, password: strong, kind: .totp, label: "New phone")
        XCTAssertNotNil(e.secret, "with the password, the recovery-code session may enrol a new app")
        // EnrollDeviceKey asks for no password: a recovery code alone does not mint an app key.
        let key = DeviceServiceFixture.base64(FakeSignatureVerifier.publicKey(seed: 1))
        await expect(.stepUpRequired) { _ = try f.devices.enrollKey(token: raised.token, publicKey: key, label: "Phone") }
        XCTAssertTrue(try events(f).contains {
            $0.type == "credential_change.refused" && $0.reason == "proven_by_recovery_code_without_password"
        })
    }

    func testASessionProvenOnlyByATrustedBrowserCannotAddOrRemoveAFactor() async throws {
        let f = AccountServiceFixture()
        let (_, secret) = try await mixedAccount(f)
        f.clock.advance(seconds: 30)
        let remembered = try await f.service.verifyChallenge(
            id: try await loginChallenge(f).id.rawValue, code: try code(f, secret), rememberDevice: true,
            deviceLabel: "Laptop", client: .init())
        let deviceToken = try XCTUnwrap(remembered.deviceToken)
        f.clock.advance(seconds: 60)
        guard case .session(let browser, _) = try await f.service.login(username: "tara", password: strong,
                                                                       deviceToken: deviceToken, client: .init()) else {
            return XCTFail("the remembered browser skips the code")
        }
        let app = try XCTUnwrap(try f.service.listFactors(token: browser.token).first { $0.kind == .totp })
        await expect(.stepUpRequired) {
            _ = try await f.service.enrollFactor(token: browser.token, password: self.strong, kind: .totp, label: "Thief")
        }
        await expect(.stepUpRequired) {
            _ = try await f.service.enrollFactor(token: browser.token, password: self.strong, kind: .recoveryCode,
                                                 label: nil)
        }
        await expect(.stepUpRequired) {
            try await f.service.removeFactor(token: browser.token, factorID: app.id.rawValue, password: self.strong)
        }
        XCTAssertEqual(try f.service.listFactors(token: browser.token).map(\.kind), [.sms, .totp], "nothing changed")
        XCTAssertTrue(try events(f).contains {
            $0.type == "credential_change.refused" && $0.reason == "proven_by_trusted_device_only"
        })
    }

    // MARK: removal

    func testRemovingOneFactorKeepsTheSecondFactorAndRemovingTheLastTurnsItOff() async throws {
        let f = AccountServiceFixture()
        let (session, secret) = try await mixedAccount(f)
        _ = try await f.service.enrollFactor(token: session.token, password: strong, kind: .recoveryCode, label: nil)
        let other = try await passwordSessionOfExisting(f, secret)
        let app = try XCTUnwrap(try f.service.listFactors(token: session.token).first { $0.kind == .totp })
        await expect(.noSuchFactor) {
            try await f.service.removeFactor(token: session.token, factorID: "f_unknown", password: self.strong)
        }
        await expect(.invalidCredentials) {
            try await f.service.removeFactor(token: session.token, factorID: app.id.rawValue, password: "nope")
        }
        try await f.service.removeFactor(token: session.token, factorID: app.id.rawValue, password: strong)
        XCTAssertEqual(try f.service.listFactors(token: session.token).map(\.kind), [.sms, .recoveryCode])
        XCTAssertTrue(try XCTUnwrap(f.accounts.account(usernameKey: "tara")).secondFactorEnabled)
        XCTAssertNoThrow(try f.sessions.check(token: other.token, touch: false), "other sessions stay")
        try await f.service.removeFactor(token: session.token, factorID: "sms", password: strong)
        XCTAssertEqual(try f.service.listFactors(token: session.token), [], "the recovery codes went with the last factor")
        XCTAssertFalse(try XCTUnwrap(f.accounts.account(usernameKey: "tara")).secondFactorEnabled)
        XCTAssertThrowsError(try f.sessions.check(token: other.token, touch: false), "other sessions ended")
        XCTAssertEqual(try f.sessions.check(token: session.token, touch: false).info.assurance, .password)
    }

    /// Another second-factor session of tara (a new login answered with the app).
    func passwordSessionOfExisting(_ f: AccountServiceFixture, _ secret: String) async throws -> NewSession {
        f.clock.advance(seconds: 30)
        let result = try await verify(f, try await loginChallenge(f), try code(f, secret))
        return try XCTUnwrap(result.session)
    }

    func testAdminResetRemovesEveryFactor() async throws {
        let f = AccountServiceFixture()
        let (session, _) = try await mixedAccount(f)
        _ = try await f.service.enrollFactor(token: session.token, password: strong, kind: .recoveryCode, label: nil)
        try f.service.resetSecondFactor(username: "tara", reason: "lost everything, ticket 7")
        let user = try XCTUnwrap(f.accounts.account(usernameKey: "tara"))
        XCTAssertFalse(user.secondFactorEnabled)
        XCTAssertNil(user.phone)
        XCTAssertEqual(try f.factorStore.factors(of: user.id), [])
        XCTAssertEqual(try f.factorStore.recoveryCodesLeft(of: user.id), 0)
        guard case .session = try await f.service.login(username: "tara", password: strong, client: .init()) else {
            return XCTFail("a login needs no second factor after the reset")
        }
    }

    func testAPasswordResetOfAnAppOnlyAccountIsConfirmedWithTheApp() async throws {
        let f = AccountServiceFixture()
        let (_, secret, _) = try await appAccount(f)
        let (token, _) = try await f.service.beginPasswordReset(username: "tara", client: .init())
        let reset = try await f.service.completePasswordReset(token: try XCTUnwrap(token),
                                                              newPassword: "Neues-Passwort-2026")
        let challenge = try XCTUnwrap(reset)
        XCTAssertEqual(challenge.purpose, .passwordReset)
        XCTAssertEqual(challenge.factor, .totp)
        _ = try await verify(f, challenge, try code(f, secret))
        let next = try await f.service.login(username: "tara", password: "Neues-Passwort-2026", client: .init())
        XCTAssertEqual(try next.challenge.factor, .totp, "the new password works, the app is still the factor")
    }

    func testNoSecretOfAnAppReachesTheAuditTrailOrTheLogs() async throws {
        let f = AccountServiceFixture()
        let session = try await passwordSession(f)
        let e = try await f.service.enrollFactor(token: session.token, password: strong, kind: .totp, label: "Phone")
        let secret = try XCTUnwrap(e.secret)
        let code = try code(f, secret)
        _ = try f.service.confirmFactor(token: session.token, factorID: e.factorID.rawValue, code: code)
        let trail = try events(f).map { "\($0)" }.joined()
        let logs = f.logs.lines.withLock { $0.joined() }
        for secretText in [secret, code, try XCTUnwrap(e.uri)] {
            XCTAssertFalse(trail.contains(secretText), "in the audit trail")
            XCTAssertFalse(logs.contains(secretText), "in the logs")
        }
    }
}
