import RiegelCore
import Synchronization

/// A ``WrappedKeyStore`` in memory, with the same rules as the SQLite one.
public final class InMemoryWrappedKeyStore: WrappedKeyStore, Sendable {
    private let state = Mutex(WrappedKeySnapshot(keys: [], masterKeyCheck: nil))

    /// An empty store.
    public init() {}

    /// Every stored key (ordered by id) and the master-key check value.
    public func load() throws -> WrappedKeySnapshot {
        state.withLock { $0 }
    }

    /// Applies `change` all or nothing, with the SQLite store's rules.
    public func apply(_ change: WrappedKeyChange) throws {
        try state.withLock { current in
            var next = current
            for (id, newState) in change.stateChanges {
                guard let index = next.keys.firstIndex(where: { $0.id == id }) else {
                    throw WrappedKeyStoreError.unknownKey(id)
                }
                next.keys[index].state = newState
            }
            for key in change.inserts {
                if next.keys.contains(where: { $0.id == key.id }) {
                    throw WrappedKeyStoreError.duplicateKey(key.id)
                }
                next.keys.append(key)
            }
            for purpose in KeyPurpose.allCases
            where next.keys.filter({ $0.purpose == purpose && $0.state == .active }).count > 1 {
                throw WrappedKeyStoreError.secondActiveKey(purpose)
            }
            for (id, rewrap) in change.rewraps {
                guard let index = next.keys.firstIndex(where: { $0.id == id }) else {
                    throw WrappedKeyStoreError.unknownKey(id)
                }
                next.keys[index].wrapped = rewrap.wrapped
                next.keys[index].masterKeyID = rewrap.masterKeyID
            }
            if let check = change.masterKeyCheck { next.masterKeyCheck = check }
            next.keys.sort { $0.id < $1.id }
            current = next
        }
    }
}
