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
        for hash in ["$2b$04$short", "$2x$04$x", "$md5$x"] {
            XCTAssertThrowsError(try hasher.verify("password", against: hash), hash) { error in
                guard case PasswordHashError.malformedHash(let why) = error else { return XCTFail("\(hash): \(error)") }
                XCTAssertFalse(why.contains(hash), "no hash in the message")
            }
        }
        let overCost = "$2b$31$abcdefghijklmnopqrstuughE8Ev8uGFaUgY2cNEySvxngrb/Jzdm"
        XCTAssertThrowsError(try hasher.verify("password", against: overCost)) { error in
            guard case PasswordHashError.costAboveLimit(let why) = error else { return XCTFail("\(error)") }
            XCTAssertFalse(why.contains(overCost), "no hash in the message")
        }
    }

    // MARK: issue 11, item 7: argon2id cost caps

    /// A well-formed argon2id PHC string with these parameters (salt and hash are zeros).
    static func phc(m: Int, t: Int, p: Int) -> String {
        "$argon2id$v=19$m=\(m),t=\(t),p=\(p)$" + String(repeating: "A", count: 22) + "$" + String(repeating: "A", count: 43)
    }

    func testImportOfArgon2idHashesWithHugeCostIsRefusedWithInvalidPasswordHash() throws {
        let hasher = try hasher()
        for (m, t, p) in [(4_194_304, 64, 64), (1_048_576, 1, 1), (262_145, 1, 1), (65_536, 11, 1), (65_536, 1, 9),
                          (262_144, 5, 1)] {
            XCTAssertThrowsError(try hasher.validateImported(Self.phc(m: m, t: t, p: p)), "m=\(m),t=\(t),p=\(p)") { error in
                guard case RiegelError.invalidPasswordHash(let reason) = error else { return XCTFail("\(error)") }
                XCTAssertTrue(reason.contains("above the cap"), reason)
            }
        }
        for (m, t, p) in [(262_144, 4, 8), (65_536, 10, 1), (19_456, 2, 1), (8, 1, 1)] {
            XCTAssertNoThrow(try hasher.validateImported(Self.phc(m: m, t: t, p: p)), "m=\(m),t=\(t),p=\(p)")
        }
    }

    func testStoredArgon2idHashOverTheCapsIsRefusedWithoutRunningIt() throws {
        let hasher = try hasher()
        // Run, m=4 GiB with t=64 would take minutes and 4 GiB; refused, it takes nothing.
        let started = ContinuousClock.now
        XCTAssertThrowsError(try hasher.verify("password", against: Self.phc(m: 4_194_304, t: 64, p: 64))) { error in
            guard case PasswordHashError.costAboveLimit = error else { return XCTFail("\(error)") }
        }
        XCTAssertLessThan(started.duration(to: .now), .seconds(1))
    }

    func testTheCapsNeverRefuseHashesMadeWithTheConfiguredParameters() throws {
        let configured = Argon2Parameters(memoryKiB: 64, iterations: 12, parallelism: 1)
        let hasher = UpgradingPasswordHasher(argon2: try Argon2idHasher(parameters: configured, random: SystemRandom()))
        XCTAssertEqual(hasher.argon2Limits.maxIterations, 12)
        let phc = try hasher.hash("pw")
        XCTAssertTrue(try hasher.verify("pw", against: phc))
        XCTAssertNoThrow(try hasher.validateImported(phc))
        // The same hash under a config with t=1 is over the caps (t ≤ 10).
        let lowered = try self.hasher()
        XCTAssertThrowsError(try lowered.verify("pw", against: phc)) { error in
            guard case PasswordHashError.costAboveLimit = error else { return XCTFail("\(error)") }
        }
    }
}
