import NIOCore
import RiegelCore
@testable import RiegelRPC
import RiegelService
import Varlink
import XCTest

/// The CheckSession reply written member by member is the `SessionInfo` object the other methods send.
final class AuthRepliesTests: XCTestCase {
    private func written(_ info: SessionInfo) throws -> JSONValue {
        var writer = JSONObjectWriter(buffer: ByteBuffer())
        AuthReplies.write(info, to: &writer)
        return try JSONValue.parse(String(buffer: writer.finish()))
    }

    private func info(username: String, secondFactorAt: Instant?) -> SessionInfo {
        SessionInfo(sessionID: SessionID(rawValue: "s_0123456789abcdef0123456789abcdef"), userID: UserID(rawValue: "u_42"),
                    username: username, assurance: secondFactorAt == nil ? .password : .secondFactor,
                    authenticatedAt: Instant(secondsSinceEpoch: 1_795_000_000.4), secondFactorAt: secondFactorAt,
                    idleExpiresAt: Instant(secondsSinceEpoch: 1_795_000_900.9), expiresAt: Instant(secondsSinceEpoch: 1_795_043_200))
    }

    func testWrittenSessionInfoEqualsTheJSONValueEncoding() throws {
        let plain = info(username: "anna", secondFactorAt: nil)
        XCTAssertEqual(try written(plain), AuthReplies.sessionInfo(plain))
        XCTAssertEqual(try written(plain), [
            "session_id": "s_0123456789abcdef0123456789abcdef", "user_id": "u_42", "username": "anna",
            "assurance": "password", "authenticated_at": "2026-11-18T11:06:40Z",
            "idle_expires_at": "2026-11-18T11:21:40Z", "expires_at": "2026-11-18T23:06:40Z",
        ])
    }

    func testWrittenSessionInfoCarriesTheSecondFactorTimeWhenThereIsOne() throws {
        let stepped = info(username: "anna", secondFactorAt: Instant(secondsSinceEpoch: 1_795_000_100))
        XCTAssertEqual(try written(stepped), AuthReplies.sessionInfo(stepped))
        XCTAssertEqual(try written(stepped)["second_factor_at"], "2026-11-18T11:08:20Z")
        XCTAssertEqual(try written(stepped)["assurance"], "second_factor")
    }

    func testUsernamesThatNeedEscapingAreEscaped() throws {
        let odd = info(username: "o'neil\"@example.é", secondFactorAt: nil)
        XCTAssertEqual(try written(odd)["username"], "o'neil\"@example.é")
    }

    func testAnAppChallengeHasNoPhoneAndListsTheFactorsWhenKnown() throws {
        var view = ChallengeView(FactorChallenge.start(
            id: ChallengeID(rawValue: "c_1"), purpose: .login, kind: .totp, userID: UserID(rawValue: "u_42"),
            sessionID: nil, language: nil, credentialGeneration: nil, pendingReset: nil, policy: .default,
            now: Instant(secondsSinceEpoch: 1_795_000_000)))
        XCTAssertEqual(AuthReplies.challenge(view), [
            "challenge_id": "c_1", "purpose": "login", "factor": "totp", "attempts_left": 5,
            "expires_at": "2026-11-18T11:11:40Z", "resend_after": "2026-11-18T11:11:40Z",
        ])
        view.factors = [.totp, .sms]
        XCTAssertEqual(AuthReplies.challenge(view)["factors"], ["totp", "sms"])
        XCTAssertNil(AuthReplies.challenge(view)["masked_phone"])
    }

    func testAFactorListsNoSecretAndOnlyWhatItKnows() {
        XCTAssertEqual(AuthReplies.factor(FactorInfo(id: .sms, kind: .sms, label: "+49 *** *** **89")),
                       ["factor_id": "sms", "kind": "sms", "label": "+49 *** *** **89"])
        XCTAssertEqual(AuthReplies.factor(FactorInfo(id: FactorID(rawValue: "f_1"), kind: .recoveryCode,
                                                     label: "recovery codes",
                                                     createdAt: Instant(secondsSinceEpoch: 1_795_000_000), codesLeft: 7)),
                       ["factor_id": "f_1", "kind": "recovery_code", "label": "recovery codes",
                        "created_at": "2026-11-18T11:06:40Z", "codes_left": 7])
    }
}
