import RiegelCore
@testable import RiegelCrypto
import RiegelTesting
import XCTest

final class EnvelopeTests: XCTestCase {
    private func ring(seed: UInt64 = 1, store: InMemoryWrappedKeyStore = InMemoryWrappedKeyStore()) throws -> KeyRing {
        try KeyRing.open(masterKey: try MasterKey(bytes: Array(repeating: 7, count: 32)), store: store,
                         random: SeededRandom(seed: seed), clock: ManualClock())
    }

    private let phone = Array("+4915112345678".utf8)
    private let aad = Array("user:42/phone".utf8)

    func testSealThenOpenRoundTrips() throws {
        let sealer = KeyRingSealer(keyRing: try ring(), random: SystemRandom())
        let sealed = try sealer.seal(phone, purpose: .pii, associatedData: aad)
        XCTAssertEqual(sealed.bytes.count, phone.count + Envelope.overhead)
        XCTAssertEqual(try Envelope.keyID(of: sealed.bytes), sealed.keyID)
        XCTAssertEqual(try sealer.open(sealed.bytes, purpose: .pii, associatedData: aad), phone)
        XCTAssertEqual(try sealer.open(try sealer.seal([], purpose: .pii, associatedData: []).bytes,
                                       purpose: .pii, associatedData: []), [])
    }

    func testSealingTwiceGivesDifferentCiphertexts() throws {
        let sealer = KeyRingSealer(keyRing: try ring(), random: SystemRandom())
        XCTAssertNotEqual(try sealer.seal(phone, purpose: .pii, associatedData: aad).bytes,
                          try sealer.seal(phone, purpose: .pii, associatedData: aad).bytes)
    }

    func testEveryFlippedByteFailsToOpen() throws {
        let sealer = KeyRingSealer(keyRing: try ring(), random: SystemRandom())
        let sealed = try sealer.seal(phone, purpose: .pii, associatedData: aad).bytes
        for index in sealed.indices {
            var tampered = sealed
            tampered[index] ^= 0x01
            XCTAssertThrowsError(try sealer.open(tampered, purpose: .pii, associatedData: aad), "byte \(index)")
        }
        XCTAssertThrowsError(try sealer.open(Array(sealed.dropLast()), purpose: .pii, associatedData: aad))
        XCTAssertThrowsError(try sealer.open(Array(sealed.prefix(Envelope.overhead - 1)), purpose: .pii, associatedData: aad)) {
            XCTAssertEqual($0 as? SealingError, .malformed)
        }
    }

    func testWrongAssociatedDataFailsToOpen() throws {
        let sealer = KeyRingSealer(keyRing: try ring(), random: SystemRandom())
        let sealed = try sealer.seal(phone, purpose: .pii, associatedData: aad).bytes
        XCTAssertThrowsError(try sealer.open(sealed, purpose: .pii, associatedData: Array("user:43/phone".utf8))) {
            XCTAssertEqual($0 as? SealingError, .authenticationFailed)
        }
        XCTAssertThrowsError(try sealer.open(sealed, purpose: .pii, associatedData: []))
    }

    func testWrongPurposeFailsToOpen() throws {
        let sealer = KeyRingSealer(keyRing: try ring(), random: SystemRandom())
        let sealed = try sealer.seal(phone, purpose: .pii, associatedData: aad)
        XCTAssertThrowsError(try sealer.open(sealed.bytes, purpose: .password, associatedData: aad)) {
            XCTAssertEqual($0 as? SealingError, .unknownKey(sealed.keyID))
        }
    }

    func testWrongKeyFailsToOpen() throws {
        // Same key ids, different key material (another key ring).
        let mine = KeyRingSealer(keyRing: try ring(seed: 1), random: SystemRandom())
        let theirs = KeyRingSealer(keyRing: try ring(seed: 2), random: SystemRandom())
        let sealed = try mine.seal(phone, purpose: .pii, associatedData: aad).bytes
        XCTAssertThrowsError(try theirs.open(sealed, purpose: .pii, associatedData: aad)) {
            XCTAssertEqual($0 as? SealingError, .authenticationFailed)
        }
    }

    func testUnknownVersionIsMalformed() throws {
        let sealer = KeyRingSealer(keyRing: try ring(), random: SystemRandom())
        var sealed = try sealer.seal(phone, purpose: .pii, associatedData: aad).bytes
        sealed[0] = 2
        XCTAssertThrowsError(try sealer.open(sealed, purpose: .pii, associatedData: aad)) {
            XCTAssertEqual($0 as? SealingError, .malformed)
        }
    }
}
