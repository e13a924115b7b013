import RiegelCore
@testable import RiegelCrypto
import RiegelTesting
import XCTest

final class UpgradingPasswordHasherTests: XCTestCase {
    private func hasher() throws -> UpgradingPasswordHasher {
        UpgradingPasswordHasher(argon2: try Argon2idHasher(parameters: Argon2Parameters(memoryKiB: 64, iterations: 1, parallelism: 1),
                                                           random: SystemRandom()))
    }

    func testKeepsThePasswordHasherRules() throws {
        try PasswordHasherConformance.run(try hasher())
    }

    func testNewHashesAreArgon2idAndNeedNoRehash() throws {
        let hasher = try hasher()
        let phc = try hasher.hash("pw")
        XCTAssertEqual(PasswordScheme(identifying: phc), .argon2id)
        XCTAssertFalse(hasher.needsRehash(phc))
        XCTAssertTrue(try hasher.verify("pw", against: phc))
    }

    func testVerifiesEveryLegacySchemeAndAsksToUpgradeIt() throws {
        let hasher = try hasher()
        let legacy: [(String, String)] = [
            ("password", LegacyPasswordVerifierTests.passlibSHA256),
            ("pässwörd", LegacyPasswordVerifierTests.passlibSHA512),
            ("password", LegacyPasswordVerifierTests.phcSHA512),
            ("password", LegacyPasswordVerifierTests.bcrypt2b),
            ("password", LegacyPasswordVerifierTests.scryptSmall),
        ]
        for (password, hash) in legacy {
            XCTAssertTrue(try hasher.verify(password, against: hash), hash)
            XCTAssertFalse(try hasher.verify(password + "!", against: hash), hash)
            XCTAssertTrue(hasher.needsRehash(hash), "a legacy hash is upgraded after a good login: \(hash)")
        }
        XCTAssertTrue(try hasher.verify("password", against: Argon2idHasherTests.referencePHC))
        XCTAssertTrue(hasher.needsRehash(Argon2idHasherTests.referencePHC), "other argon2id parameters")
    }

    func testMalformedOrOverCostLegacyHashesThrowThePortsError() throws {
        let hasher = try hasher()
        for hash in ["$2b$04$short", "$2b$31$abcdefghijklmnopqrstuughE8Ev8uGFaUgY2cNEySvxngrb/Jzdm", "$2x$04$x", "$md5$x"] {
            XCTAssertThrowsError(try hasher.verify("password", against: hash), hash) { error in
                guard case PasswordHashError.malformedHash(let why) = error else { return XCTFail("\(hash): \(error)") }
                XCTAssertFalse(why.contains(hash), "no hash in the message")
            }
        }
    }
}
