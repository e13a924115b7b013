import Crypto
import RiegelCore
import Synchronization

/// The data keys of every ``KeyPurpose``, unwrapped in memory.
///
/// On first start it generates one 32-byte key per purpose, wraps each with
/// AES-256-GCM under the master key (key id and purpose bound as associated
/// data) and stores them; later starts unwrap the stored keys.
///
/// - Important: a master key that does not open the stored keys refuses
///   startup (``KeyRingError``); new keys are only ever added, never written
///   over existing ones. Retired keys are not unwrapped, and a master-key
///   rotation (``rotateMaster(to:)``) leaves them wrapped under the old key.
public final class KeyRing: KeyRotator, Sendable {
    private struct Keys {
        var master: MasterKey
        var usable: [KeyID: DataKey] = [:]
        var infos: [KeyID: DataKeyInfo] = [:]
        var active: [KeyPurpose: KeyID] = [:]
        var lastID = KeyID(rawValue: 0)
    }

    private let store: any WrappedKeyStore
    private let random: any RandomSource
    private let clock: any WallClock
    private let keys: Mutex<Keys>
    private let lastMissRefresh = Mutex<ContinuousClock.Instant?>(nil)

    private init(store: any WrappedKeyStore, random: any RandomSource, clock: any WallClock, keys: Keys) {
        self.store = store
        self.random = random
        self.clock = clock
        self.keys = Mutex(keys)
    }

    /// Loads and unwraps the stored keys, generating (and storing) an active
    /// key for every purpose that has none.
    ///
    /// - Parameters:
    ///   - random: key material and nonces (``SystemRandom`` in production).
    ///   - clock: creation times of new keys.
    /// - Throws: ``KeyRingError`` if the master key does not fit; store errors as thrown.
    public static func open(masterKey: MasterKey, store: any WrappedKeyStore, random: any RandomSource,
                            clock: any WallClock) throws -> KeyRing {
        let snapshot = try store.load()
        if let stored = snapshot.masterKeyCheck, !ConstantTime.equals(stored, masterKey.checkValue) {
            throw KeyRingError.masterKeyMismatch(stored: snapshot.keys.last { $0.state != .retired }?.masterKeyID,
                                                 loaded: masterKey.id)
        }
        if snapshot.masterKeyCheck != nil, snapshot.keys.isEmpty {
            throw KeyRingError.keysMissing
        }
        var keys = Keys(master: masterKey)
        for record in snapshot.keys {
            keys.infos[record.id] = DataKeyInfo(id: record.id, purpose: record.purpose, state: record.state,
                                                createdAt: record.createdAt, masterKeyID: record.masterKeyID)
            keys.lastID = max(keys.lastID, record.id)
            guard record.state != .retired else { continue }
            guard record.masterKeyID == masterKey.id else {
                throw KeyRingError.masterKeyMismatch(stored: record.masterKeyID, loaded: masterKey.id)
            }
            guard let material = KeyWrap.unwrap(record.wrapped, id: record.id, purpose: record.purpose,
                                                master: masterKey) else {
                throw KeyRingError.unwrapFailed(record.id)
            }
            keys.usable[record.id] = DataKey(id: record.id, purpose: record.purpose, state: record.state,
                                             createdAt: record.createdAt, material: material)
            if record.state == .active {
                guard keys.active[record.purpose] == nil else { throw KeyRingError.multipleActiveKeys(record.purpose) }
                keys.active[record.purpose] = record.id
            }
        }

        var change = WrappedKeyChange(masterKeyCheck: snapshot.masterKeyCheck == nil ? masterKey.checkValue : nil)
        var fresh: [DataKey] = []
        for purpose in KeyPurpose.allCases where keys.active[purpose] == nil {
            let id = keys.lastID.next
            keys.lastID = id
            let (record, key) = try makeKey(id: id, purpose: purpose, master: masterKey, random: random, clock: clock)
            change.inserts.append(record)
            fresh.append(key)
        }
        if !change.inserts.isEmpty || change.masterKeyCheck != nil {
            try store.apply(change)
        }
        for key in fresh {
            keys.usable[key.id] = key
            keys.infos[key.id] = key.info(masterKeyID: masterKey.id)
            keys.active[key.purpose] = key.id
        }
        return KeyRing(store: store, random: random, clock: clock, keys: keys)
    }

    private static func makeKey(id: KeyID, purpose: KeyPurpose, master: MasterKey, random: any RandomSource,
                                clock: any WallClock) throws -> (WrappedDataKey, DataKey) {
        let material = SymmetricKey(data: random.bytes(32))
        let created = clock.now()
        let wrapped = try KeyWrap.wrap(material, id: id, purpose: purpose, master: master, random: random)
        let record = WrappedDataKey(id: id, purpose: purpose, state: .active, createdAt: created,
                                    wrapped: wrapped, masterKeyID: master.id)
        return (record, DataKey(id: id, purpose: purpose, state: .active, createdAt: created, material: material))
    }

    /// The key that seals and digests new data of `purpose`.
    public func activeKey(_ purpose: KeyPurpose) -> DataKey {
        keys.withLock { keys in
            // Invariant established by open(): every purpose has an active key.
            keys.usable[keys.active[purpose]!]!
        }
    }

    /// The usable (active or decrypt-only) key with `id`, or nil if unknown or
    /// retired. An id newer than any this ring knows was made by another
    /// riegeld on a shared store: the ring then ``refresh()``es, at most once
    /// a second, before it answers nil.
    public func key(_ id: KeyID) -> DataKey? {
        let (found, newer) = keys.withLock { ($0.usable[id], id > $0.lastID) }
        if let found { return found }
        guard newer, refreshAfterMiss() else { return nil }
        return keys.withLock { $0.usable[id] }
    }

    /// Refreshes unless a refresh after a miss ran in the last second; true if it refreshed.
    private func refreshAfterMiss() -> Bool {
        let now = ContinuousClock.now
        let due = lastMissRefresh.withLock { last in
            if let previous = last, previous.duration(to: now) < .seconds(1) { return false }
            last = now
            return true
        }
        return due && (try? refresh()) != nil
    }

    /// Adopts what another riegeld on the same (shared) store changed: keys
    /// it made (unwrapped under this ring's master key), demotions and
    /// retirements. States only move forward (active → decrypt-only →
    /// retired) and a purpose's active key only to a newer one, so a
    /// snapshot older than this ring's own rotation changes nothing.
    ///
    /// - Returns: whether anything changed.
    /// - Throws: ``KeyRingError/unwrapFailed(_:)`` or
    ///   ``KeyRingError/masterKeyMismatch(stored:loaded:)`` for a new key this
    ///   ring's master key cannot open (another instance rotated the master
    ///   key: restart this one with the new key); store errors as thrown.
    ///   Nothing changes then.
    @discardableResult
    public func refresh() throws -> Bool {
        let snapshot = try store.load()
        return try keys.withLock { keys in
            var next = keys
            var changed = false
            for record in snapshot.keys {
                let known = next.infos[record.id]
                guard known == nil || Self.rank(record.state) > Self.rank(known!.state) else { continue }
                changed = true
                next.lastID = max(next.lastID, record.id)
                next.infos[record.id] = DataKeyInfo(id: record.id, purpose: record.purpose, state: record.state,
                                                    createdAt: record.createdAt,
                                                    masterKeyID: known?.masterKeyID ?? record.masterKeyID)
                if record.state == .retired {
                    next.usable[record.id] = nil
                    continue
                }
                if next.usable[record.id] != nil {
                    next.usable[record.id]?.state = record.state
                } else {
                    guard record.masterKeyID == next.master.id else {
                        throw KeyRingError.masterKeyMismatch(stored: record.masterKeyID, loaded: next.master.id)
                    }
                    guard let material = KeyWrap.unwrap(record.wrapped, id: record.id, purpose: record.purpose,
                                                        master: next.master) else {
                        throw KeyRingError.unwrapFailed(record.id)
                    }
                    next.usable[record.id] = DataKey(id: record.id, purpose: record.purpose, state: record.state,
                                                     createdAt: record.createdAt, material: material)
                }
                if record.state == .active, record.id > (next.active[record.purpose] ?? KeyID(rawValue: 0)) {
                    next.active[record.purpose] = record.id
                }
            }
            keys = next
            return changed
        }
    }

    /// A state's place in a key's life; a key never moves back.
    private static func rank(_ state: KeyState) -> Int {
        switch state {
        case .active: 0
        case .decryptOnly: 1
        case .retired: 2
        }
    }

    /// The usable keys of `purpose`, active first, then newest first.
    public func usableKeys(_ purpose: KeyPurpose) -> [DataKey] {
        keys.withLock { keys in
            keys.usable.values.filter { $0.purpose == purpose }
                .sorted { ($0.state == .active ? 1 : 0, $0.id) > ($1.state == .active ? 1 : 0, $1.id) }
        }
    }

    /// Stores a new active key for `purpose` and demotes the old one to decrypt-only, atomically; returns the new id.
    public func rotate(_ purpose: KeyPurpose) throws -> KeyID {
        try keys.withLock { keys in
            let old = keys.active[purpose]!
            let id = keys.lastID.next
            let (record, key) = try Self.makeKey(id: id, purpose: purpose, master: keys.master, random: random,
                                                 clock: clock)
            try store.apply(WrappedKeyChange(inserts: [record], stateChanges: [old: .decryptOnly]))
            keys.lastID = id
            keys.usable[old]?.state = .decryptOnly
            keys.infos[old]?.state = .decryptOnly
            keys.usable[id] = key
            keys.infos[id] = key.info(masterKeyID: keys.master.id)
            keys.active[purpose] = id
            return id
        }
    }

    /// Drops the material of `id`, which the store has retired (never the active key).
    public func forgetRetired(_ id: KeyID) {
        keys.withLock { keys in
            guard let info = keys.infos[id], info.state != .active else { return }
            keys.usable[id] = nil
            keys.infos[id]?.state = .retired
        }
    }

    /// The fingerprint of the master key in use.
    public var masterKeyID: String {
        keys.withLock { $0.master.id }
    }

    /// Where the master key in use came from.
    public var masterKeyOrigin: MasterKeyOrigin {
        keys.withLock { $0.master.origin }
    }

    /// Re-wraps every key that is not retired under `newMaster` (fresh nonces)
    /// and stores the re-wraps with the new check value in one change; only
    /// after that commits does the ring use `newMaster`. Retired keys keep
    /// their old wrapping: they are never unwrapped again.
    ///
    /// - Returns: the old master key's fingerprint and how many keys were re-wrapped.
    /// - Throws: ``MasterKeyRotationError/sameKey(keyID:)`` if `newMaster` is the
    ///   key in use; ``KeyRingError/unwrapFailed(_:)`` if a stored key does not
    ///   open under the key in use; store errors as thrown. Nothing changes then.
    public func rotateMaster(to newMaster: MasterKey) throws -> (oldKeyID: String, rewrapped: Int) {
        try keys.withLock { keys in
            let old = keys.master
            if ConstantTime.equals(old.checkValue, newMaster.checkValue) {
                throw MasterKeyRotationError.sameKey(keyID: old.id)
            }
            // The ring keeps only derived subkeys, so the material comes from
            // the stored blobs, unwrapped under the key in use.
            var rewraps: [KeyID: WrappedKeyRewrap] = [:]
            for record in try store.load().keys where record.state != .retired {
                guard let material = KeyWrap.unwrap(record.wrapped, id: record.id, purpose: record.purpose,
                                                    master: old) else {
                    throw KeyRingError.unwrapFailed(record.id)
                }
                let wrapped = try KeyWrap.wrap(material, id: record.id, purpose: record.purpose, master: newMaster,
                                               random: random)
                rewraps[record.id] = WrappedKeyRewrap(wrapped: wrapped, masterKeyID: newMaster.id)
            }
            try store.apply(WrappedKeyChange(rewraps: rewraps, masterKeyCheck: newMaster.checkValue))
            keys.master = newMaster
            for id in rewraps.keys { keys.infos[id]?.masterKeyID = newMaster.id }
            return (old.id, rewraps.count)
        }
    }

    /// Every key, including retired ones, by id and without key material.
    public func keyInfos() -> [DataKeyInfo] {
        keys.withLock { $0.infos.values.sorted { $0.id < $1.id } }
    }
}
