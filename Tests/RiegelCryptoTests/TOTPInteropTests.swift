import RiegelCore
import RiegelCrypto
import XCTest

/// TOTP through swift-crypto's HMAC-SHA1 against the published vectors:
/// RFC 4226 appendix D (HOTP) and RFC 6238 appendix B (TOTP, SHA-1).
final class TOTPInteropTests: XCTestCase {
    let secret = Array("12345678901234567890".utf8)
    let mac = SwiftCryptoOneTimePasswordMAC()

    func testRFC4226HOTPVectors() {
        let expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871",
                        "520489"]
        for (counter, code) in expected.enumerated() {
            XCTAssertEqual(TOTP.code(secret: secret, step: Int64(counter), digits: 6, mac: mac), code, "counter \(counter)")
        }
    }

    func testRFC6238SHA1Vectors() {
        let vectors: [(Double, String)] = [(59, "94287082"), (1_111_111_109, "07081804"), (1_111_111_111, "14050471"),
                                           (1_234_567_890, "89005924"), (2_000_000_000, "69279037"),
                                           (20_000_000_000, "65353130")]
        let policy = TOTPPolicy(digits: 8)
        for (time, code) in vectors {
            let now = Instant(secondsSinceEpoch: time)
            let step = TOTP.step(at: now, policy: policy)
            XCTAssertEqual(TOTP.code(secret: secret, step: step, digits: 8, mac: mac), code, "T = \(time)")
            XCTAssertEqual(TOTP.matchingStep(code, secret: secret, now: now, policy: policy, mac: mac), step)
            // The six-digit code apps show is the last six digits of the same value.
            XCTAssertEqual(TOTP.code(secret: secret, step: step, digits: 6, mac: mac), String(code.suffix(6)))
        }
    }

    func testTheMACIsHMACSHA1() {
        // RFC 2202, test case 2.
        XCTAssertEqual(Hex.encode(mac.hmacSHA1(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))),
                       "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
    }
}
