import RiegelCore
import RiegelTesting
import XCTest

/// The values behind authenticator apps and recovery codes (issue 16):
/// base32, the TOTP window, the enrolment URI, recovery codes and the
/// challenge state machine, on injected time and randomness.
final class FactorValuesTests: XCTestCase {
    // MARK: base32 (RFC 4648, section 10)

    func testBase32MatchesTheRFC4648Vectors() {
        let vectors = ["": "", "f": "MY======", "fo": "MZXQ====", "foo": "MZXW6===", "foob": "MZXW6YQ=",
                       "fooba": "MZXW6YTB", "foobar": "MZXW6YTBOI======"]
        for (plain, encoded) in vectors {
            XCTAssertEqual(Base32.encode(Array(plain.utf8), padded: true), encoded, plain)
            XCTAssertEqual(Base32.encode(Array(plain.utf8)), encoded.replacingOccurrences(of: "=", with: ""), plain)
            XCTAssertEqual(Base32.decode(encoded), Array(plain.utf8), encoded)
            XCTAssertEqual(Base32.decode(encoded.lowercased()), Array(plain.utf8), "case does not matter")
        }
    }

    func testBase32RoundTripsRandomBytesAndRefusesOtherCharacters() {
        let random = SeededRandom()
        for count in 0..<41 {
            let bytes = random.bytes(count)
            XCTAssertEqual(Base32.decode(Base32.encode(bytes)), bytes)
        }
        XCTAssertNil(Base32.decode("MZXW1"), "1 is not base32")
        XCTAssertNil(Base32.decode("MZXW6YQ!"))
        XCTAssertNil(Base32.decode("MZ"), "leftover bits that are not zero")
    }

    // MARK: TOTP window

    let secret = Array("12345678901234567890".utf8)
    let mac = FakeOneTimePasswordMAC()

    func testTheStepIsWholeThirtySecondsSinceTheEpoch() {
        XCTAssertEqual(TOTP.step(at: Instant(secondsSinceEpoch: 59), policy: .default), 1)
        XCTAssertEqual(TOTP.step(at: Instant(secondsSinceEpoch: 60), policy: .default), 2)
        XCTAssertEqual(TOTP.step(at: Instant(secondsSinceEpoch: 1_111_111_109), policy: .default), 37_037_036)
    }

    func testCodesAreSixDigitsWithLeadingZerosAndOnlyDigitsAreWellFormed() {
        for step in Int64(0)..<200 {
            let code = TOTP.code(secret: secret, step: step, digits: 6, mac: mac)
            XCTAssertEqual(code.count, 6)
            XCTAssertTrue(TOTP.isWellFormed(code, policy: .default))
        }
        for bad in ["12345", "1234567", "12345a", " 12345", "１２３４５６", ""] {
            XCTAssertFalse(TOTP.isWellFormed(bad, policy: .default), bad)
        }
    }

    func testTheWindowIsOneStepEitherWay() {
        let now = Instant(secondsSinceEpoch: 1_767_225_615)
        let current = TOTP.step(at: now, policy: .default)
        for offset in Int64(-1)...1 {
            let code = TOTP.code(secret: secret, step: current + offset, digits: 6, mac: mac)
            XCTAssertEqual(TOTP.matchingStep(code, secret: secret, now: now, policy: .default, mac: mac), current + offset)
        }
        for offset: Int64 in [-3, -2, 2, 3] {
            let code = TOTP.code(secret: secret, step: current + offset, digits: 6, mac: mac)
            XCTAssertNil(TOTP.matchingStep(code, secret: secret, now: now, policy: .default, mac: mac), "\(offset)")
        }
        XCTAssertNil(TOTP.matchingStep("12345", secret: secret, now: now, policy: .default, mac: mac))
    }

    // MARK: URI

    func testTheEnrolmentURIFollowsTheKeyURIFormatAndEscapesNames() {
        let uri = TOTPURI.make(secret: Array("foobar".utf8), issuer: "Nord Versicherung", accountName: "anna@x.de",
                               policy: .default)
        XCTAssertEqual(uri, "otpauth://totp/Nord%20Versicherung:anna%40x.de?secret=MZXW6YTBOI"
                       + "&issuer=Nord%20Versicherung&algorithm=SHA1&digits=6&period=30")
        XCTAssertEqual(TOTPURI.make(secret: [1], issuer: "Zürich:AG&Co", accountName: "ü", policy: .default)
            .split(separator: "?").first, "otpauth://totp/Z%C3%BCrich%3AAG%26Co:%C3%BC")
    }

    // MARK: recovery codes

    func testRecoveryCodesAreTenCharactersWithoutLookAlikesAndParseLoosely() {
        let random = SeededRandom()
        var seen = Set<String>()
        for _ in 0..<200 {
            let code = RecoveryCode.generate(using: random)
            XCTAssertEqual(code.normalized.count, 10)
            XCTAssertFalse(code.normalized.contains { "01ilo".contains($0) }, code.normalized)
            XCTAssertEqual(code.display.count, 11)
            XCTAssertEqual(RecoveryCode(parsing: code.display), code)
            XCTAssertEqual(RecoveryCode(parsing: code.display.uppercased().replacingOccurrences(of: "-", with: " ")), code)
            seen.insert(code.normalized)
        }
        XCTAssertEqual(seen.count, 200, "no repeats in 200 draws of ~49 bits")
        for bad in ["", "abcde-fghj", "abcde-fghjkm", "abcde-fghj0", "abcde-fghjl", "abcdé-fghjk"] {
            XCTAssertNil(RecoveryCode(parsing: bad), bad)
        }
    }

    func testARecoveryCodesDigestIsBoundToTheAccount() throws {
        let code = try XCTUnwrap(RecoveryCode(parsing: "abcde-fghjk"))
        XCTAssertNotEqual(code.digestMessage(user: UserID(rawValue: "u_a")), code.digestMessage(user: UserID(rawValue: "u_b")))
    }

    // MARK: the challenge

    func challenge(now: Instant) -> FactorChallenge {
        FactorChallenge.start(id: ChallengeID(rawValue: "c_1"), purpose: .login, kind: .totp,
                              userID: UserID(rawValue: "u_a"), sessionID: nil, language: nil, credentialGeneration: 3,
                              pendingReset: nil, policy: .default, now: now)
    }

    func testAFactorChallengeIsSingleUseCountsAttemptsAndExpires() {
        let t0 = Instant(secondsSinceEpoch: 1_000)
        var c = challenge(now: t0)
        XCTAssertEqual(c.attemptsLeft, 5)
        XCTAssertEqual(c.expiresAt, t0.adding(seconds: 300))
        XCTAssertEqual(c.verify(codeMatches: false, now: t0), .wrong(attemptsLeft: 4))
        XCTAssertEqual(c.verify(codeMatches: true, now: t0), .verified)
        XCTAssertEqual(c.verify(codeMatches: true, now: t0), .alreadyUsed)
        var d = challenge(now: t0)
        for _ in 0..<4 { _ = d.verify(codeMatches: false, now: t0) }
        XCTAssertEqual(d.verify(codeMatches: false, now: t0), .exhausted)
        XCTAssertEqual(d.verify(codeMatches: true, now: t0), .exhausted, "a failed challenge stays failed")
        var e = challenge(now: t0)
        XCTAssertEqual(e.state(at: t0.adding(seconds: 300)), .expired)
        XCTAssertEqual(e.verify(codeMatches: true, now: t0.adding(seconds: 300)), .expired)
    }

    func testEveryFactorButARememberedBrowserCountsForACredentialChange() {
        let now = Instant(secondsSinceEpoch: 1_000)
        for method: AuthenticationMethod in [.totp, .recoveryCode, .sms, .deviceKey] {
            XCTAssertEqual(CredentialChangeRule.decide(assurance: .secondFactor, proofMethod: method, provenAt: now,
                                                       now: now, maxAge: 600), .allowed, "\(method)")
        }
        XCTAssertNotEqual(CredentialChangeRule.decide(assurance: .secondFactor, proofMethod: .trustedDevice,
                                                      provenAt: now, now: now, maxAge: 600), .allowed)
        XCTAssertEqual(CredentialChangeRule.decide(assurance: .secondFactor, proofMethod: .recoveryCode, provenAt: now,
                                                   now: now, maxAge: 600, passwordChecked: false),
                       .stepUpRequired(reason: "proven_by_recovery_code_without_password"),
                       "a recovery code adds a credential only beside a fresh password check")
        XCTAssertEqual(CredentialChangeRule.decide(assurance: .secondFactor, proofMethod: .totp, provenAt: now,
                                                   now: now, maxAge: 600, passwordChecked: false), .allowed)
        XCTAssertEqual(FactorKind.totp.authenticationMethod, .totp)
        XCTAssertEqual(FactorKind.recoveryCode.rawValue, "recovery_code")
        XCTAssertEqual(FactorKind.preference, [.totp, .sms, .recoveryCode])
    }
}
