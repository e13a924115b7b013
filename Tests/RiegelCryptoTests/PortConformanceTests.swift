import RiegelCore
@testable import RiegelCrypto
import RiegelTesting
import XCTest

/// The real implementations and the RiegelTesting fakes keep the same port rules.
final class PortConformanceTests: XCTestCase {
    private func ring() throws -> KeyRing {
        try KeyRing.open(masterKey: try MasterKey(bytes: SystemRandom().bytes(32)), store: InMemoryWrappedKeyStore(),
                         random: SystemRandom(), clock: ManualClock())
    }

    func testKeyRingSealerKeepsTheSecretSealerRules() throws {
        try SecretSealerConformance.run(KeyRingSealer(keyRing: try ring(), random: SystemRandom()))
    }

    func testTransparentFakeSealerKeepsTheSecretSealerRules() throws {
        let fake = TransparentSecretSealer()
        try SecretSealerConformance.run(fake)
        let old = try fake.seal([1], purpose: .pii, associatedData: [])
        fake.rotate(.pii)
        XCTAssertNotEqual(try fake.seal([1], purpose: .pii, associatedData: []).keyID, old.keyID)
        XCTAssertEqual(try fake.open(old.bytes, purpose: .pii, associatedData: []), [1])
    }

    func testKeyRingDigesterKeepsTheKeyedDigesterRules() throws {
        try KeyedDigesterConformance.run(KeyRingDigester(keyRing: try ring()))
    }

    func testFakeKeyedDigesterKeepsTheKeyedDigesterRules() throws {
        let fake = FakeKeyedDigester()
        try KeyedDigesterConformance.run(fake)
        let old = fake.digest([1], purpose: .otp)
        fake.rotate(.otp)
        XCTAssertTrue(fake.matches([1], digest: old, purpose: .otp))
        XCTAssertEqual(fake.allDigests([1], purpose: .otp).count, 2)
    }

    func testArgon2idHasherKeepsThePasswordHasherRules() throws {
        try PasswordHasherConformance.run(try Argon2idHasher(parameters: Argon2Parameters(memoryKiB: 64, iterations: 1, parallelism: 1),
                                                             random: SystemRandom()))
    }

    func testFakePasswordHasherKeepsThePasswordHasherRules() throws {
        try PasswordHasherConformance.run(FakePasswordHasher())
        XCTAssertTrue(FakePasswordHasher(cost: 2).needsRehash(try FakePasswordHasher(cost: 1).hash("x")))
    }
}
