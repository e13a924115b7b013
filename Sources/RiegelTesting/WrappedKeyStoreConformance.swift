import RiegelCore

/// The rules every ``WrappedKeyStore`` must keep. Call ``run(_:)`` from a test
/// with a factory for empty stores; it throws ``ConformanceFailure`` on the first broken rule.
public enum WrappedKeyStoreConformance {
    /// Runs every rule, each against a fresh store from `makeStore`.
    public static func run(_ makeStore: () throws -> any WrappedKeyStore) throws {
        try emptyStoreLoadsNothing(try makeStore())
        try insertedKeysLoadBackInIDOrder(try makeStore())
        try rotationDemotesAndInsertsAtomically(try makeStore())
        try secondActiveKeyIsRefusedAndNothingIsApplied(try makeStore())
        try duplicateIDIsRefused(try makeStore())
        try unknownKeyStateChangeIsRefusedAndNothingIsApplied(try makeStore())
        try masterKeyCheckIsStoredAndReplaced(try makeStore())
        try rewrapsReplaceMaterialAndCheckValueTogether(try makeStore())
        try rewrapOfUnknownKeyIsRefusedAndNothingIsApplied(try makeStore())
    }

    static func key(_ id: UInt32, _ purpose: KeyPurpose, _ state: KeyState = .active) -> WrappedDataKey {
        WrappedDataKey(id: KeyID(rawValue: id), purpose: purpose, state: state,
                       createdAt: Instant(secondsSinceEpoch: 1_767_225_600 + Double(id)),
                       wrapped: (0..<60).map { UInt8(truncatingIfNeeded: Int($0) &* 7 &+ Int(id)) },
                       masterKeyID: "mk-test")
    }

    static func expect(_ condition: Bool, _ message: String) throws {
        if !condition { throw ConformanceFailure(message) }
    }

    static func expectThrows(_ message: String, _ body: () throws -> Void) throws {
        do { try body() } catch { return }
        throw ConformanceFailure(message)
    }

    static func emptyStoreLoadsNothing(_ store: any WrappedKeyStore) throws {
        let snapshot = try store.load()
        try expect(snapshot.keys.isEmpty && snapshot.masterKeyCheck == nil, "an empty store must load no keys and no check value")
    }

    static func insertedKeysLoadBackInIDOrder(_ store: any WrappedKeyStore) throws {
        let keys = [key(3, .otp), key(1, .password), key(2, .pii)]
        try store.apply(WrappedKeyChange(inserts: keys, masterKeyCheck: [1, 2, 3]))
        let loaded = try store.load()
        try expect(loaded.keys == keys.sorted { $0.id < $1.id }, "inserted keys must load back unchanged, ordered by id; got \(loaded.keys.map(\.id))")
        try expect(loaded.masterKeyCheck == [1, 2, 3], "the master key check value must load back")
    }

    static func rotationDemotesAndInsertsAtomically(_ store: any WrappedKeyStore) throws {
        try store.apply(WrappedKeyChange(inserts: [key(1, .pii)]))
        try store.apply(WrappedKeyChange(inserts: [key(2, .pii)], stateChanges: [KeyID(rawValue: 1): .decryptOnly]))
        let loaded = try store.load().keys
        try expect(loaded.map(\.state) == [.decryptOnly, .active], "a rotation must demote the old key and insert the new active one; got \(loaded.map(\.state))")
    }

    static func secondActiveKeyIsRefusedAndNothingIsApplied(_ store: any WrappedKeyStore) throws {
        try store.apply(WrappedKeyChange(inserts: [key(1, .otp)]))
        try expectThrows("a second active key for a purpose must be refused") {
            try store.apply(WrappedKeyChange(inserts: [key(2, .audit), key(3, .otp)]))
        }
        let loaded = try store.load().keys
        try expect(loaded.map(\.id) == [KeyID(rawValue: 1)], "a refused change must apply nothing; got \(loaded.map(\.id))")
    }

    static func duplicateIDIsRefused(_ store: any WrappedKeyStore) throws {
        try store.apply(WrappedKeyChange(inserts: [key(1, .otp)]))
        try expectThrows("an insert reusing a key id must be refused") {
            try store.apply(WrappedKeyChange(inserts: [key(1, .pii)]))
        }
    }

    static func unknownKeyStateChangeIsRefusedAndNothingIsApplied(_ store: any WrappedKeyStore) throws {
        try expectThrows("a state change for an unknown key must be refused") {
            try store.apply(WrappedKeyChange(inserts: [key(1, .pii)], stateChanges: [KeyID(rawValue: 9): .retired]))
        }
        try expect(try store.load().keys.isEmpty, "a refused change must apply nothing")
    }

    static func masterKeyCheckIsStoredAndReplaced(_ store: any WrappedKeyStore) throws {
        try store.apply(WrappedKeyChange(masterKeyCheck: [9]))
        try store.apply(WrappedKeyChange(inserts: [key(1, .audit)]))
        try expect(try store.load().masterKeyCheck == [9], "a change without a check value must keep the stored one")
        try store.apply(WrappedKeyChange(masterKeyCheck: [8]))
        try expect(try store.load().masterKeyCheck == [8], "a change with a check value must replace the stored one")
    }

    static func rewrapsReplaceMaterialAndCheckValueTogether(_ store: any WrappedKeyStore) throws {
        try store.apply(WrappedKeyChange(inserts: [key(1, .pii, .decryptOnly), key(2, .pii), key(3, .otp)],
                                         masterKeyCheck: [1]))
        let fresh = WrappedKeyRewrap(wrapped: Array(repeating: 0xA5, count: 61), masterKeyID: "mk-new")
        try store.apply(WrappedKeyChange(rewraps: [KeyID(rawValue: 1): fresh, KeyID(rawValue: 2): fresh],
                                         masterKeyCheck: [2]))
        let loaded = try store.load()
        try expect(loaded.masterKeyCheck == [2], "a re-wrap change must replace the check value with it")
        try expect(loaded.keys.map(\.masterKeyID) == ["mk-new", "mk-new", "mk-test"],
                   "re-wrapped keys must name the new master key, others keep theirs; got \(loaded.keys.map(\.masterKeyID))")
        try expect(loaded.keys.prefix(2).allSatisfy { $0.wrapped == fresh.wrapped }, "re-wrapped material must be stored")
        try expect(loaded.keys[2] == key(3, .otp), "a key not in the change must stay byte-identical")
        try expect(loaded.keys.map(\.state) == [.decryptOnly, .active, .active], "a re-wrap must not change states")
    }

    static func rewrapOfUnknownKeyIsRefusedAndNothingIsApplied(_ store: any WrappedKeyStore) throws {
        try store.apply(WrappedKeyChange(inserts: [key(1, .audit)], masterKeyCheck: [1]))
        let before = try store.load()
        let fresh = WrappedKeyRewrap(wrapped: [1, 2, 3], masterKeyID: "mk-new")
        try expectThrows("a re-wrap of an unknown key must be refused") {
            try store.apply(WrappedKeyChange(rewraps: [KeyID(rawValue: 1): fresh, KeyID(rawValue: 5): fresh],
                                             masterKeyCheck: [2]))
        }
        try expect(try store.load() == before, "a refused re-wrap must change neither keys nor the check value")
    }
}
