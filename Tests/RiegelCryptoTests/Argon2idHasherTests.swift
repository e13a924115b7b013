import RiegelCore
@testable import RiegelCrypto
import RiegelTesting
import XCTest

final class Argon2idHasherTests: XCTestCase {
    /// The argon2id vector of the reference implementation's test.c
    /// (phc-winner-argon2: `hashtest(version, 2, 16, 1, "password", "somesalt", ...)`),
    /// re-derived here with libargon2 20171227 via `argon2id_hash_encoded` and `argon2id_hash_raw`:
    /// raw hash 09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7.
    static let referencePHC = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"

    private let fast = Argon2Parameters(memoryKiB: 64, iterations: 1, parallelism: 1)

    func testKnownAnswerMatchesTheReferenceImplementation() throws {
        let hasher = try Argon2idHasher(parameters: Argon2Parameters(memoryKiB: 65_536, iterations: 2, parallelism: 1),
                                        random: SystemRandom())
        XCTAssertEqual(try hasher.hash(Array("password".utf8), salt: Array("somesalt".utf8)), Self.referencePHC)
        let raw = try Argon2idHasher.raw(Array("password".utf8), salt: Array("somesalt".utf8), memoryKiB: 65_536,
                                         iterations: 2, parallelism: 1, length: 32)
        XCTAssertEqual(Hex.encode(raw), "09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7")
    }

    func testReferenceHashVerifiesOnlyForTheRightPassword() throws {
        let hasher = try Argon2idHasher(random: SystemRandom())
        XCTAssertTrue(try hasher.verify("password", against: Self.referencePHC))
        XCTAssertFalse(try hasher.verify("Password", against: Self.referencePHC))
        XCTAssertFalse(try hasher.verify("", against: Self.referencePHC))
    }

    func testDefaultParametersProducePHCWithSixteenByteSaltAndThirtyTwoByteHash() throws {
        let hasher = try Argon2idHasher(random: SystemRandom())
        let phc = try hasher.hash("correct horse battery staple")
        XCTAssertTrue(phc.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$"), phc)
        let parsed = try PHCString.parse(phc)
        XCTAssertEqual(parsed.salt.count, 16)
        XCTAssertEqual(parsed.hash.count, 32)
        XCTAssertEqual(parsed.encoded, phc)
        XCTAssertTrue(try hasher.verify("correct horse battery staple", against: phc))
        XCTAssertFalse(try hasher.verify("correct horse battery stapler", against: phc))
        XCTAssertNotEqual(try hasher.hash("same"), try hasher.hash("same"), "fresh salt per hash")
    }

    func testMalformedPHCStringsAreRejected() throws {
        let hasher = try Argon2idHasher(parameters: fast, random: SystemRandom())
        let malformed = [
            "",
            "password",
            "$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2id$v=16$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2id$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2id$v=19$t=2,m=65536,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2id$v=19$m=065536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2id$v=19$m=-1,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2id$v=19$m=99999999999,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2id$v=19$m=65536,t=0,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2id$v=19$m=8388608,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ=$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc$",
            "$argon2id$v=19$m=65536,t=2,p=1$c29t$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFh",
            "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPP_",
            " $argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        ]
        for phc in malformed {
            XCTAssertThrowsError(try hasher.verify("password", against: phc), phc) { error in
                guard case PasswordHashError.malformedHash = error else { return XCTFail("\(phc): \(error)") }
                XCTAssertFalse("\(error)".contains("password\""), "no secrets in messages")
            }
            XCTAssertTrue(hasher.needsRehash(phc), phc)
        }
    }

    func testNeedsRehashWhenParametersDiffer() throws {
        let hasher = try Argon2idHasher(random: SystemRandom())
        XCTAssertFalse(hasher.needsRehash(try hasher.hash("x")))
        XCTAssertTrue(hasher.needsRehash(Self.referencePHC), "m=65536 salt 8 bytes vs configured m=19456 salt 16")
        let cheaper = try Argon2idHasher(parameters: fast, random: SystemRandom())
        XCTAssertTrue(hasher.needsRehash(try cheaper.hash("x")))
        XCTAssertTrue(cheaper.needsRehash(try hasher.hash("x")))
        let longerHash = try Argon2idHasher(parameters: Argon2Parameters(memoryKiB: 64, iterations: 1, parallelism: 1, hashLength: 64),
                                            random: SystemRandom())
        XCTAssertTrue(cheaper.needsRehash(try longerHash.hash("x")))
    }

    func testOutOfRangeParametersAreRefused() {
        XCTAssertThrowsError(try Argon2idHasher(parameters: Argon2Parameters(memoryKiB: 4, iterations: 1, parallelism: 1), random: SystemRandom()))
        XCTAssertThrowsError(try Argon2idHasher(parameters: Argon2Parameters(memoryKiB: 64, iterations: 0, parallelism: 1), random: SystemRandom()))
        XCTAssertThrowsError(try Argon2idHasher(parameters: Argon2Parameters(memoryKiB: 64, iterations: 1, parallelism: 16), random: SystemRandom()),
                             "m must be at least 8 * p")
        XCTAssertThrowsError(try Argon2idHasher(parameters: Argon2Parameters(memoryKiB: 64, iterations: 1, parallelism: 1, saltLength: 4), random: SystemRandom()))
    }

    /// Found by Fuzz/ (legacy-hash target): 8 × p overflowed UInt32 and trapped.
    func testParallelismSoLargeThatEightTimesItOverflowsIsRefusedNotATrap() {
        for p: UInt32 in [536_870_912, 999_999_998, .max] {
            XCTAssertThrowsError(try Argon2Parameters(memoryKiB: 636, iterations: 2, parallelism: p).validate())
        }
        XCTAssertThrowsError(try PHCString.parse("$argon2id$v=19$m=636,t=2,p=999999998$c29tZXNhbHQ$CTFhFd1aFcMaO7Mmb1GRPPc"))
    }

    func testHasherIsSafeToUseFromManyThreadsAtOnce() throws {
        let hasher = try Argon2idHasher(parameters: fast, random: SystemRandom())
        let phc = try hasher.hash("shared")
        DispatchQueue.concurrentPerform(iterations: 16) { i in
            XCTAssertTrue((try? hasher.verify("shared", against: phc)) == true)
            XCTAssertTrue((try? hasher.verify("other\(i)", against: phc)) == false)
            XCTAssertTrue((try? hasher.verify("mine\(i)", against: try hasher.hash("mine\(i)"))) == true)
        }
    }
}
