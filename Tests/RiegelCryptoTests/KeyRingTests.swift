import RiegelCore
@testable import RiegelCrypto
import RiegelTesting
import XCTest

final class KeyRingTests: XCTestCase {
    let master = try! MasterKey(bytes: Array(repeating: 0x11, count: 32))

    private func open(_ store: any WrappedKeyStore, master: MasterKey? = nil, seed: UInt64 = 9) throws -> KeyRing {
        try KeyRing.open(masterKey: master ?? self.master, store: store, random: SeededRandom(seed: seed), clock: ManualClock())
    }

    func testFirstStartGeneratesOneActiveKeyPerPurpose() throws {
        let store = InMemoryWrappedKeyStore()
        let ring = try open(store)
        let snapshot = try store.load()
        XCTAssertEqual(snapshot.keys.count, KeyPurpose.allCases.count)
        XCTAssertEqual(Set(snapshot.keys.map(\.purpose)), Set(KeyPurpose.allCases))
        XCTAssertTrue(snapshot.keys.allSatisfy { $0.state == .active && $0.masterKeyID == master.id && $0.wrapped.count == 61 })
        XCTAssertEqual(snapshot.masterKeyCheck, master.checkValue)
        for purpose in KeyPurpose.allCases {
            XCTAssertEqual(ring.activeKey(purpose).purpose, purpose)
        }
    }

    func testReloadWithTheSameMasterKeyYieldsTheSameKeys() throws {
        let store = InMemoryWrappedKeyStore()
        let first = try open(store, seed: 1)
        let second = try open(store, seed: 2)
        XCTAssertEqual(try store.load().keys.count, KeyPurpose.allCases.count, "no new keys on the second start")
        let digester1 = KeyRingDigester(keyRing: first), digester2 = KeyRingDigester(keyRing: second)
        for purpose in KeyPurpose.allCases {
            XCTAssertEqual(first.activeKey(purpose).id, second.activeKey(purpose).id)
            XCTAssertEqual(digester1.digest([1, 2, 3], purpose: purpose), digester2.digest([1, 2, 3], purpose: purpose))
        }
        let sealed = try KeyRingSealer(keyRing: first, random: SystemRandom()).seal([9, 9], purpose: .password, associatedData: [1])
        XCTAssertEqual(try KeyRingSealer(keyRing: second, random: SystemRandom()).open(sealed.bytes, purpose: .password, associatedData: [1]), [9, 9])
    }

    func testWrongMasterKeyRefusesToOpenAndGeneratesNothing() throws {
        let store = InMemoryWrappedKeyStore()
        _ = try open(store)
        let before = try store.load()
        let other = try MasterKey(bytes: Array(repeating: 0x22, count: 32))
        XCTAssertThrowsError(try open(store, master: other)) { error in
            XCTAssertEqual(error as? KeyRingError, .masterKeyMismatch(stored: master.id, loaded: other.id))
            XCTAssertTrue("\(error)".contains("will not replace existing keys"))
        }
        XCTAssertEqual(try store.load(), before, "a refused start must not touch the stored keys")
    }

    func testWrongMasterKeyRefusesEvenWithoutACheckValue() throws {
        let store = InMemoryWrappedKeyStore()
        _ = try open(store)
        var snapshot = try store.load()
        snapshot.masterKeyCheck = nil
        let bare = InMemoryWrappedKeyStore()
        try bare.apply(WrappedKeyChange(inserts: snapshot.keys))
        XCTAssertThrowsError(try open(bare, master: try MasterKey(bytes: Array(repeating: 0x22, count: 32))))
    }

    func testEmptiedKeyTableRefusesToOpenInsteadOfMakingNewKeys() throws {
        let store = InMemoryWrappedKeyStore()
        try store.apply(WrappedKeyChange(masterKeyCheck: master.checkValue))
        XCTAssertThrowsError(try open(store)) { XCTAssertEqual($0 as? KeyRingError, .keysMissing) }
        XCTAssertTrue(try store.load().keys.isEmpty)
    }

    func testNewPurposeWithoutKeysGetsOneWithoutTouchingTheOthers() throws {
        let store = InMemoryWrappedKeyStore()
        _ = try open(store)
        let withoutAudit = try store.load().keys.filter { $0.purpose != .audit }
        let older = InMemoryWrappedKeyStore()
        try older.apply(WrappedKeyChange(inserts: withoutAudit, masterKeyCheck: master.checkValue))
        let ring = try open(older)
        let after = try older.load().keys
        XCTAssertEqual(Array(after.prefix(withoutAudit.count)), withoutAudit)
        XCTAssertEqual(after.last?.purpose, .audit)
        XCTAssertEqual(ring.activeKey(.audit).id, after.last?.id)
    }

    func testTamperedWrappedKeyRefusesToOpen() throws {
        let store = InMemoryWrappedKeyStore()
        _ = try open(store)
        var keys = try store.load().keys
        keys[1].wrapped[20] ^= 0xFF
        let tampered = InMemoryWrappedKeyStore()
        try tampered.apply(WrappedKeyChange(inserts: keys, masterKeyCheck: master.checkValue))
        XCTAssertThrowsError(try open(tampered)) { XCTAssertEqual($0 as? KeyRingError, .unwrapFailed(keys[1].id)) }
    }

    func testWrappedKeyMovedToAnotherPurposeRefusesToOpen() throws {
        let store = InMemoryWrappedKeyStore()
        _ = try open(store)
        var keys = try store.load().keys
        let (a, b) = (keys.firstIndex { $0.purpose == .pii }!, keys.firstIndex { $0.purpose == .otp }!)
        keys[a].purpose = .otp
        keys[b].purpose = .pii
        let swapped = InMemoryWrappedKeyStore()
        try swapped.apply(WrappedKeyChange(inserts: keys, masterKeyCheck: master.checkValue))
        XCTAssertThrowsError(try open(swapped))
    }

    func testRotationKeepsOldCiphertextsAndDigestsReadable() throws {
        let store = InMemoryWrappedKeyStore()
        let ring = try open(store)
        let sealer = KeyRingSealer(keyRing: ring, random: SystemRandom())
        let digester = KeyRingDigester(keyRing: ring)
        let old = try sealer.seal([1, 2, 3], purpose: .pii, associatedData: [7])
        let oldDigest = digester.digest([4, 5], purpose: .otp)
        let oldPII = ring.activeKey(.pii).id

        let newPII = try ring.rotate(.pii)
        _ = try ring.rotate(.otp)
        XCTAssertNotEqual(newPII, oldPII)
        XCTAssertEqual(ring.activeKey(.pii).id, newPII)
        XCTAssertEqual(ring.key(oldPII)?.state, .decryptOnly)

        let new = try sealer.seal([1, 2, 3], purpose: .pii, associatedData: [7])
        XCTAssertEqual(new.keyID, newPII)
        XCTAssertEqual(try sealer.open(old.bytes, purpose: .pii, associatedData: [7]), [1, 2, 3])
        XCTAssertEqual(try sealer.open(new.bytes, purpose: .pii, associatedData: [7]), [1, 2, 3])
        XCTAssertTrue(digester.matches([4, 5], digest: oldDigest, purpose: .otp))
        XCTAssertFalse(digester.matches([4, 6], digest: oldDigest, purpose: .otp))
        XCTAssertEqual(digester.allDigests([4, 5], purpose: .otp).count, 2)
        XCTAssertEqual(digester.allDigests([4, 5], purpose: .otp).first?.keyID, ring.activeKey(.otp).id)

        // And after a restart.
        let reopened = try open(store)
        XCTAssertEqual(reopened.activeKey(.pii).id, newPII)
        XCTAssertEqual(try KeyRingSealer(keyRing: reopened, random: SystemRandom()).open(old.bytes, purpose: .pii, associatedData: [7]), [1, 2, 3])
        let states = try store.load().keys.filter { $0.purpose == .pii }.map(\.state)
        XCTAssertEqual(states, [.decryptOnly, .active])
        XCTAssertEqual(reopened.keyInfos().count, KeyPurpose.allCases.count + 2)
    }

    func testRetiredKeysAreNotUnwrapped() throws {
        let store = InMemoryWrappedKeyStore()
        let ring = try open(store)
        let old = ring.activeKey(.audit).id
        _ = try ring.rotate(.audit)
        try store.apply(WrappedKeyChange(stateChanges: [old: .retired]))
        let reopened = try open(store)
        XCTAssertNil(reopened.key(old))
        XCTAssertEqual(reopened.keyInfos().first { $0.id == old }?.state, .retired)
    }

    func testDigestUnderAnotherPurposeDoesNotMatch() throws {
        let digester = KeyRingDigester(keyRing: try open(InMemoryWrappedKeyStore()))
        let digest = digester.digest([1], purpose: .otp)
        XCTAssertTrue(digester.matches([1], digest: digest, purpose: .otp))
        XCTAssertFalse(digester.matches([1], digest: digest, purpose: .pii))
        XCTAssertNotEqual(digester.digest([1], purpose: .pii).bytes, digest.bytes)
    }
}
