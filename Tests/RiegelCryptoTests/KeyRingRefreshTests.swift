import RiegelCore
@testable import RiegelCrypto
import RiegelTesting
import Synchronization
import XCTest

/// Two rings on one store, as two riegeld instances on one PostgreSQL: what
/// one does to the keys reaches the other by ``KeyRing/refresh()``, or at once
/// when the other meets a key id newer than it knows.
final class KeyRingRefreshTests: XCTestCase {
    let master = try! MasterKey(bytes: Array(repeating: 0x11, count: 32))

    private func open(_ store: any WrappedKeyStore, master: MasterKey? = nil, seed: UInt64) throws -> KeyRing {
        try KeyRing.open(masterKey: master ?? self.master, store: store, random: SeededRandom(seed: seed), clock: ManualClock())
    }

    func testARotationOnOneRingReachesTheOtherByRefresh() throws {
        let store = InMemoryWrappedKeyStore()
        let a = try open(store, seed: 1), b = try open(store, seed: 2)
        let old = a.activeKey(.pii).id
        let new = try b.rotate(.pii)
        XCTAssertEqual(a.activeKey(.pii).id, old, "control: a does not know yet")
        XCTAssertTrue(try a.refresh())
        XCTAssertEqual(a.activeKey(.pii).id, new, "a seals new data under b's new key")
        XCTAssertEqual(a.keyInfos(), b.keyInfos())
        XCTAssertEqual(a.key(old)?.state, .decryptOnly)
        XCTAssertFalse(try a.refresh(), "nothing more to adopt")
        // What a seals now, b opens, and the other way round.
        let sealedByA = try KeyRingSealer(keyRing: a, random: SystemRandom()).seal([1, 2], purpose: .pii, associatedData: [7])
        XCTAssertEqual(sealedByA.keyID, new)
        XCTAssertEqual(try KeyRingSealer(keyRing: b, random: SystemRandom()).open(sealedByA.bytes, purpose: .pii, associatedData: [7]),
                       [1, 2])
    }

    func testAValueUnderAKeyTheRingDoesNotKnowYetRefreshesItAtOnce() throws {
        let store = InMemoryWrappedKeyStore()
        let a = try open(store, seed: 1), b = try open(store, seed: 2)
        let new = try b.rotate(.password)
        let sealed = try KeyRingSealer(keyRing: b, random: SystemRandom()).seal([5], purpose: .password, associatedData: [1])
        XCTAssertEqual(sealed.keyID, new)
        XCTAssertEqual(try KeyRingSealer(keyRing: a, random: SystemRandom()).open(sealed.bytes, purpose: .password, associatedData: [1]),
                       [5], "a adopts b's key on the miss instead of failing")
        XCTAssertEqual(a.activeKey(.password).id, new)
        // An id that exists nowhere still answers nil (and refreshes at most once a second).
        XCTAssertNil(a.key(KeyID(rawValue: 999)))
    }

    func testARetirementOnOneRingDropsTheKeyFromTheOther() throws {
        let store = InMemoryWrappedKeyStore()
        let a = try open(store, seed: 1), b = try open(store, seed: 2)
        let old = b.activeKey(.otp).id
        _ = try b.rotate(.otp)
        try store.apply(WrappedKeyChange(stateChanges: [old: .retired]))
        b.forgetRetired(old)
        XCTAssertNotNil(a.key(old), "control: a still holds it")
        XCTAssertTrue(try a.refresh())
        XCTAssertNil(a.key(old))
        XCTAssertEqual(a.keyInfos().first { $0.id == old }?.state, .retired)
    }

    func testAnOlderSnapshotNeverUndoesTheRingsOwnRotation() throws {
        let store = StaleStore(InMemoryWrappedKeyStore())
        let a = try open(store, seed: 1)
        store.freeze()  // loads now answer the state before the rotation
        let new = try a.rotate(.audit)
        XCTAssertFalse(try a.refresh(), "the older snapshot has nothing newer")
        XCTAssertEqual(a.activeKey(.audit).id, new)
        XCTAssertEqual(a.keyInfos().filter { $0.purpose == .audit }.map(\.state), [.decryptOnly, .active])
    }

    func testAKeyUnderAnotherMasterKeyIsRefusedAndChangesNothing() throws {
        let store = InMemoryWrappedKeyStore()
        let a = try open(store, seed: 1), b = try open(store, seed: 2)
        let otherMaster = try MasterKey(bytes: Array(repeating: 0x22, count: 32))
        _ = try b.rotateMaster(to: otherMaster)
        let before = a.keyInfos()
        _ = try b.rotate(.pii)  // wrapped under the new master key, which a does not have
        XCTAssertThrowsError(try a.refresh()) { error in
            guard case KeyRingError.masterKeyMismatch = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(a.keyInfos(), before, "a refused refresh adopts nothing, not even the demotion")
    }
}

/// A key store whose loads can be frozen at one snapshot (a reader that lags behind).
private final class StaleStore: WrappedKeyStore {
    private let inner: InMemoryWrappedKeyStore
    private let frozen = Mutex<WrappedKeySnapshot?>(nil)

    init(_ inner: InMemoryWrappedKeyStore) { self.inner = inner }

    func freeze() {
        let snapshot = try! inner.load()
        frozen.withLock { $0 = snapshot }
    }

    func load() throws -> WrappedKeySnapshot {
        try frozen.withLock { $0 } ?? inner.load()
    }

    func apply(_ change: WrappedKeyChange) throws { try inner.apply(change) }
}
