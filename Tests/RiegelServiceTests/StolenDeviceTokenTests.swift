import Foundation
import RiegelCore
@testable import RiegelService
import RiegelTesting
import XCTest

/// A thief with the password and a copy of a remembered browser's token
/// (issue 11, item 1), over in-memory ports with a manual clock: device trust
/// logs in but never adds or changes a credential; a replay takes what the
/// device's sessions set up with it; a phone change says what it did.
final class StolenDeviceTokenTests: XCTestCase {
    let strong = "Kl4vier-Sonate-Mond"
    let phone = "+49 151 23456789"
    let thiefPhone = "+49 176 99887766"

    func lastCode(_ f: AccountServiceFixture, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let text = try XCTUnwrap(f.gateway.delivered.last?.text, "no SMS was sent", file: file, line: line)
        let runs = text.split { !$0.isASCII || !$0.isNumber }.filter { $0.count == 6 }
        return String(try XCTUnwrap(runs.first, "no 6-digit code in the SMS", file: file, line: line))
    }

    func verify(_ f: AccountServiceFixture, _ c: ChallengeView, remember: Bool = false) async throws -> ChallengeResult {
        try await f.service.verifyChallenge(id: c.id.rawValue, code: try lastCode(f), rememberDevice: remember,
                                            deviceLabel: nil, client: .init())
    }

    /// Sofia, enrolled with her phone, after an SMS login with remember_device.
    func remembered(_ f: AccountServiceFixture) async throws -> (sms: NewSession, cookie: String) {
        let (_, enrolment) = try await f.service.register(username: "sofia", password: strong, email: nil, phone: phone,
                                                          client: .init())
        _ = try await verify(f, try XCTUnwrap(enrolment))
        let c = try await f.service.login(username: "sofia", password: strong, client: .init()).challenge
        let result = try await verify(f, c, remember: true)
        return (try XCTUnwrap(result.session), try XCTUnwrap(result.deviceToken))
    }

    func viaCookie(_ f: AccountServiceFixture, _ cookie: String) async throws -> (session: NewSession, next: String) {
        guard case .session(let s, let next?) = try await f.service.login(username: "sofia", password: strong,
                                                                           deviceToken: cookie, client: .init()) else {
            throw UnexpectedChallenge()
        }
        return (s, next)
    }

    func stepUp(_ f: AccountServiceFixture, _ s: NewSession) async throws -> NewSession {
        let challenge = try await f.service.beginStepUp(token: s.token)
        let result = try await verify(f, challenge)
        return try XCTUnwrap(result.session)
    }

    func key(_ seed: UInt8) -> String { Data(FakeSignatureVerifier.publicKey(seed: seed)).base64EncodedString() }

    func events(_ f: AccountServiceFixture, _ type: String) throws -> [AuditEvent] {
        try f.auditLog.query(AuditFilter(types: [type]), limit: nil).entries.map(\.event)
    }

    func testSessionsRecordHowTheSecondFactorWasProvenAndAnSMSStepUpMakesItSMS() async throws {
        let f = AccountServiceFixture()
        let (sms, cookie) = try await remembered(f)
        XCTAssertEqual(try f.sessions.check(token: sms.token).secondFactorMethod, .sms)
        let (viaDevice, _) = try await viaCookie(f, cookie)
        XCTAssertEqual(try f.sessions.check(token: viaDevice.token).secondFactorMethod, .trustedDevice)
        let stepped = try await stepUp(f, viaDevice)
        let checked = try f.sessions.check(token: stepped.token)
        XCTAssertEqual(checked.secondFactorMethod, .sms)
        XCTAssertEqual(checked.method, .trustedDevice, "how it was opened stays")
        let restarted = f.restartedSessions()
        try restarted.load()
        XCTAssertEqual(try restarted.check(token: stepped.token).secondFactorMethod, .sms, "stored, not only in memory")
    }

    func testCopiedCookieAndPasswordCannotEnrolAKeyChangeThePhoneOrDisableTheSecondFactor() async throws {
        let f = AccountServiceFixture()
        let (_, cookie) = try await remembered(f)
        let (thief, _) = try await viaCookie(f, cookie)
        let sent = f.gateway.delivered.count
        await expect(.stepUpRequired) { _ = try f.devices.enrollKey(token: thief.token, publicKey: self.key(9), label: "x") }
        await expect(.stepUpRequired) {
            _ = try await f.service.enrollPhone(token: thief.token, phone: self.thiefPhone, password: self.strong)
        }
        await expect(.stepUpRequired) { try await f.service.disableSecondFactor(token: thief.token, password: self.strong) }
        XCTAssertEqual(f.gateway.delivered.count, sent, "no code went anywhere")
        let account = try XCTUnwrap(f.accounts.account(usernameKey: "sofia"))
        XCTAssertTrue(account.secondFactorEnabled)
        XCTAssertEqual(try f.deviceStore.devices(of: account.id).map(\.kind), [.browser])
        XCTAssertEqual(try events(f, "credential_change.refused").map { [$0.reason, $0.details["operation"]] },
                       [["proven_by_trusted_device_only", "enroll_device_key"],
                        ["proven_by_trusted_device_only", "enroll_phone"],
                        ["proven_by_trusted_device_only", "disable_second_factor"]])
    }

    func testCredentialChangesNeedTheActualFactorWithinTenMinutes() async throws {
        let f = AccountServiceFixture()
        let (sms, _) = try await remembered(f)
        f.clock.advance(seconds: 600)
        await expect(.stepUpRequired) { _ = try f.devices.enrollKey(token: sms.token, publicKey: self.key(3), label: "x") }
        await expect(.stepUpRequired) {
            _ = try await f.service.enrollPhone(token: sms.token, phone: self.thiefPhone, password: self.strong)
        }
        let stepped = try await stepUp(f, sms)
        let id = try f.devices.enrollKey(token: stepped.token, publicKey: key(3), label: "Phone")
        XCTAssertEqual(try f.deviceStore.device(id: id)?.enrolledBySession, sms.info.sessionID)
        XCTAssertNil(try f.deviceStore.device(id: id)?.enrolledFromDevice, "an SMS login came from no device")
    }

    func testReplayRevokesKeysEnrolledFromTheDevicesSessionsTransitivelyAndIsAuditedAsTheft() async throws {
        let f = AccountServiceFixture()
        let (sms, cookie) = try await remembered(f)
        let own = try f.devices.enrollKey(token: sms.token, publicKey: key(1), label: "iPad")
        let (viaDevice, _) = try await viaCookie(f, cookie)
        let stepped = try await stepUp(f, viaDevice)
        let derived = try f.devices.enrollKey(token: stepped.token, publicKey: key(2), label: "Phone")
        let browser = try XCTUnwrap(f.deviceStore.device(id: derived)?.enrolledFromDevice)
        // A session of the derived key enrols one more.
        let nonce = try f.devices.beginDeviceLogin(deviceID: derived).nonce
        let keySession = try f.devices.finishDeviceLogin(
            deviceID: derived, nonce: nonce,
            signature: Data(FakeSignatureVerifier.sign(Array(nonce.utf8), publicKey: FakeSignatureVerifier.publicKey(seed: 2)))
                .base64EncodedString(), client: .init())
        let grandchild = try f.devices.enrollKey(token: keySession.token, publicKey: key(4), label: "Tablet")

        let replay = try await f.service.login(username: "sofia", password: strong, deviceToken: cookie, client: .init())
        XCTAssertNoThrow(try replay.challenge)

        for id in [browser, derived, grandchild] {
            XCTAssertEqual(try f.deviceStore.device(id: id)?.state(at: f.clock.now()), .revoked, "\(id)")
        }
        XCTAssertEqual(try f.deviceStore.device(id: own)?.state(at: f.clock.now()), .active,
                       "a key enrolled from an SMS login has nothing to do with the browser")
        XCTAssertThrowsError(try f.sessions.check(token: keySession.token))
        let theft = try XCTUnwrap(events(f, "device.theft_suspected").first)
        XCTAssertEqual(theft.outcome, .failure)
        XCTAssertEqual(theft.details["device_id"], browser.rawValue)
        XCTAssertEqual(theft.details["derived_devices_revoked"], "2")
        XCTAssertEqual(Set(theft.details["derived_device_ids"]!.split(separator: ",").map(String.init)),
                       [derived.rawValue, grandchild.rawValue])
    }

    func testAPendingPhoneChangeDiesWithTheSessionThatStartedItAndChangesNothing() async throws {
        let f = AccountServiceFixture()
        let (_, cookie) = try await remembered(f)
        let (viaDevice, _) = try await viaCookie(f, cookie)
        let stepped = try await stepUp(f, viaDevice)
        let change = try await f.service.enrollPhone(token: stepped.token, phone: thiefPhone, password: strong)
        let code = try lastCode(f)
        _ = try await f.service.login(username: "sofia", password: strong, deviceToken: cookie, client: .init())
        let before = try XCTUnwrap(f.accounts.account(usernameKey: "sofia")).phone
        await expect(.challengeExpired) {
            _ = try await f.service.verifyChallenge(id: change.id.rawValue, code: code, rememberDevice: false,
                                                    deviceLabel: nil, client: .init())
        }
        XCTAssertEqual(try XCTUnwrap(f.accounts.account(usernameKey: "sofia")).phone, before)
        XCTAssertEqual(try events(f, "second_factor.enrolment_dropped").map(\.reason), ["session_ended"])
    }

    func testAPhoneChangeFromABrowserSessionSaysThePhoneChangedAndTheSessionEndedAndNotifiesTheOldNumber() async throws {
        let f = AccountServiceFixture()
        let (_, cookie) = try await remembered(f)
        let (viaDevice, _) = try await viaCookie(f, cookie)
        let stepped = try await stepUp(f, viaDevice)
        let change = try await f.service.enrollPhone(token: stepped.token, phone: thiefPhone, password: strong)
        let result = try await verify(f, change)
        XCTAssertNil(result.session)
        XCTAssertEqual(result.phoneEnrolment,
                       PhoneEnrolment(maskedPhone: "+49 *** *** **66", replaced: true, sessionKept: false))
        XCTAssertThrowsError(try f.sessions.check(token: stepped.token))
        let notice = try XCTUnwrap(f.challengeStore.dueMessages(now: f.clock.now(), limit: 10).last)
        XCTAssertEqual(notice.challengeID, change.id)
        let payload = try XCTUnwrap(notice.payload)
        let opened = try TransparentSecretSealer().open(payload.bytes, purpose: .otp,
                                                        associatedData: SMSDispatcher.aad(change.id))
        let json = try JSONDecoder().decode([String: String].self, from: Data(opened))
        XCTAssertEqual(json["to"], "+4915123456789", "the notice goes to the old number")
        XCTAssertNil(json["text"]!.first { $0.isNumber }, "a notice holds no digits: \(json["text"]!)")
    }

    func testAPhoneChangeFromAnSMSSessionKeepsAndRenewsIt() async throws {
        let f = AccountServiceFixture()
        let (sms, _) = try await remembered(f)
        let change = try await f.service.enrollPhone(token: sms.token, phone: thiefPhone, password: strong)
        let result = try await verify(f, change)
        XCTAssertEqual(result.phoneEnrolment,
                       PhoneEnrolment(maskedPhone: "+49 *** *** **66", replaced: true, sessionKept: true))
        XCTAssertEqual(result.session?.info.sessionID, sms.info.sessionID)
        XCTAssertNoThrow(try f.sessions.check(token: try XCTUnwrap(result.session).token))
    }
}
