import Foundation
import RiegelCore
@testable import RiegelCrypto
import RiegelTesting
import XCTest

/// `KeyRing.rotateMaster(to:)`: every usable key re-wrapped in one change,
/// the old master key locked out, every existing ciphertext still readable.
final class KeyRingMasterRotationTests: XCTestCase {
    let old = try! MasterKey(bytes: Array(repeating: 0x11, count: 32), origin: .credential(path: "/c/riegel-master-key"))
    let new = try! MasterKey(bytes: Array(repeating: 0x33, count: 32), origin: .credential(path: "/c/next"))

    private func open(_ store: any WrappedKeyStore, _ master: MasterKey) throws -> KeyRing {
        try KeyRing.open(masterKey: master, store: store, random: SeededRandom(seed: 5), clock: ManualClock())
    }

    func testRotationRewrapsUsableKeysAndOnlyTheNewMasterKeyOpensThem() throws {
        let store = InMemoryWrappedKeyStore()
        let ring = try open(store, old)
        let sealer = KeyRingSealer(keyRing: ring, random: SystemRandom())
        let digester = KeyRingDigester(keyRing: ring)
        let underFirstPII = try sealer.seal(Array("a@example.org".utf8), purpose: .pii, associatedData: [1])
        _ = try ring.rotate(.pii)
        let underSecondPII = try sealer.seal(Array("b@example.org".utf8), purpose: .pii, associatedData: [2])
        let password = try sealer.seal([7, 7], purpose: .password, associatedData: [3])
        let digest = digester.digest([4, 2], purpose: .otp)
        let retired = ring.activeKey(.audit).id
        _ = try ring.rotate(.audit)
        try store.apply(WrappedKeyChange(stateChanges: [retired: .retired]))
        let before = try store.load()
        let ringBeforeRestart = try open(store, old)

        let (oldID, count) = try ringBeforeRestart.rotateMaster(to: new)
        XCTAssertEqual(oldID, old.id)
        XCTAssertEqual(count, before.keys.count - 1, "every key but the retired one")
        XCTAssertEqual(ringBeforeRestart.masterKeyID, new.id)

        let after = try store.load()
        XCTAssertEqual(after.masterKeyCheck, new.checkValue)
        for (b, a) in zip(before.keys, after.keys) {
            XCTAssertEqual([a.id, a.purpose, a.state, a.createdAt] as [AnyHashable], [b.id, b.purpose, b.state, b.createdAt])
            if a.id == retired {
                XCTAssertEqual(a, b, "a retired key keeps its old wrapping")
            } else {
                XCTAssertEqual(a.masterKeyID, new.id)
                XCTAssertNotEqual(a.wrapped, b.wrapped)
                XCTAssertNil(KeyWrap.unwrap(a.wrapped, id: a.id, purpose: a.purpose, master: old),
                             "re-wrapped material must not open under the old master key")
                XCTAssertNotNil(KeyWrap.unwrap(a.wrapped, id: a.id, purpose: a.purpose, master: new))
            }
        }

        XCTAssertThrowsError(try open(store, old)) { error in
            XCTAssertEqual(error as? KeyRingError, .masterKeyMismatch(stored: new.id, loaded: old.id))
            let text = "\(error)"
            XCTAssertTrue(text.contains(new.id) && text.contains(old.id), text)
            XCTAssertTrue(text.contains("LoadCredential=riegel-master-key:"), text)
        }
        XCTAssertEqual(try store.load(), after, "a refused start changes nothing")

        for reopened in [ringBeforeRestart, try open(store, new)] {
            let s = KeyRingSealer(keyRing: reopened, random: SystemRandom())
            XCTAssertEqual(try s.open(underFirstPII.bytes, purpose: .pii, associatedData: [1]), Array("a@example.org".utf8))
            XCTAssertEqual(try s.open(underSecondPII.bytes, purpose: .pii, associatedData: [2]), Array("b@example.org".utf8))
            XCTAssertEqual(try s.open(password.bytes, purpose: .password, associatedData: [3]), [7, 7])
            XCTAssertTrue(KeyRingDigester(keyRing: reopened).matches([4, 2], digest: digest, purpose: .otp))
            XCTAssertNil(reopened.key(retired))
        }
    }

    func testDataKeyRotatedAfterAMasterRotationIsWrappedUnderTheNewMasterKey() throws {
        let store = InMemoryWrappedKeyStore()
        let ring = try open(store, old)
        _ = try ring.rotateMaster(to: new)
        let id = try ring.rotate(.otp)
        XCTAssertEqual(try store.load().keys.first { $0.id == id }?.masterKeyID, new.id)
        XCTAssertEqual(try open(store, new).activeKey(.otp).id, id)
    }

    func testTheKeyInUseIsRefusedAndNothingChanges() throws {
        let store = InMemoryWrappedKeyStore()
        let ring = try open(store, old)
        let before = try store.load()
        let again = try MasterKey(bytes: Array(repeating: 0x11, count: 32), origin: .keyFile(path: "/elsewhere"))
        XCTAssertThrowsError(try ring.rotateMaster(to: again)) {
            XCTAssertEqual($0 as? MasterKeyRotationError, .sameKey(keyID: old.id))
        }
        XCTAssertEqual(try store.load(), before)
        XCTAssertEqual(ring.masterKeyOrigin, old.origin)
    }

    func testAFailedStoreChangeKeepsTheOldMasterKeyInUse() throws {
        let inner = InMemoryWrappedKeyStore()
        let ring = try open(RefusingRewrapStore(inner: inner), old)
        let before = try inner.load()
        XCTAssertThrowsError(try ring.rotateMaster(to: new))
        XCTAssertEqual(try inner.load(), before)
        XCTAssertEqual(ring.masterKeyID, old.id)
        let id = try ring.rotate(.pii)
        XCTAssertEqual(try inner.load().keys.first { $0.id == id }?.masterKeyID, old.id)
        XCTAssertNoThrow(try open(inner, old))
    }
}

/// A store whose re-wrap changes fail (a full disk, say).
private struct RefusingRewrapStore: WrappedKeyStore {
    let inner: InMemoryWrappedKeyStore
    struct Refused: Error {}
    func load() throws -> WrappedKeySnapshot { try inner.load() }
    func apply(_ change: WrappedKeyChange) throws {
        if !change.rewraps.isEmpty { throw Refused() }
        try inner.apply(change)
    }
}
