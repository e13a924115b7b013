import Foundation
import RiegelCore

/// The rules every ``ThrottleStore`` must keep. Call ``run(_:)`` with a factory
/// for empty stores; it throws ``ConformanceFailure`` on the first broken rule.
public enum ThrottleStoreConformance {
    /// Every rule, by name, each run against a fresh store.
    public static let checks: [(name: String, body: @Sendable (any ThrottleStore) throws -> Void)] = [
        ("unknownKeyHasNoState", unknownKeyHasNoState),
        ("savedStateLoadsBackUnchanged", savedStateLoadsBackUnchanged),
        ("saveReplacesAndKeysAreIndependent", saveReplacesAndKeysAreIndependent),
        ("removeForgetsOnlyThatKey", removeForgetsOnlyThatKey),
        ("removeStaleForgetsOnlyStatesUnsavedForLonger", removeStaleForgetsOnlyStatesUnsavedForLonger),
    ]

    /// Runs every rule, each against a fresh store from `makeStore`.
    public static func run(_ makeStore: () throws -> any ThrottleStore) throws {
        for check in checks {
            let store = try makeStore()
            try StoreConformance.check("ThrottleStore", check.name) { try check.body(store) }
        }
    }

    typealias C = StoreConformance

    /// A state with failures, a delay and a lock (20 failures a second apart, default account policy).
    static func lockedState() -> ThrottleState {
        var state = ThrottleState()
        for i in 0..<20 {
            state.recordFailure(now: C.at(Double(i) + 0.25), policy: .accountDefault)
        }
        return state
    }

    static func delayedState() -> ThrottleState {
        var state = ThrottleState()
        for i in 0..<6 {
            state.recordFailure(now: C.at(Double(i) * 10), policy: .accountDefault)
        }
        return state
    }

    static func removeStaleForgetsOnlyStatesUnsavedForLonger(_ store: any ThrottleStore) throws {
        try store.save(delayedState(), for: "ip:192.0.2.1")
        try C.expect(try store.removeStale(unsavedFor: 3600) == 0, "a state saved just now is not stale")
        try C.expect(try store.state(for: "ip:192.0.2.1") != nil, "and must stay")
        Thread.sleep(forTimeInterval: 2.0)
        try store.save(delayedState(), for: "ip:192.0.2.2")
        try C.expect(try store.removeStale(unsavedFor: 1.0) == 1, "only the state unsaved for longer goes")
        try C.expect(try store.state(for: "ip:192.0.2.1") == nil && store.state(for: "ip:192.0.2.2") != nil,
                     "the older state goes, the newer stays")
    }

    static func unknownKeyHasNoState(_ store: any ThrottleStore) throws {
        try C.expect(try store.state(for: "account:max") == nil, "an unknown key must have no state")
        try store.remove("account:max")  // forgetting an unknown key is no error
    }

    static func savedStateLoadsBackUnchanged(_ store: any ThrottleStore) throws {
        let locked = lockedState()
        try C.expect(locked.isLocked(now: C.at(30)) && !locked.failures.isEmpty,
                     "test setup: the state must be locked and hold failures")
        try store.save(locked, for: "account:max")
        try C.expect(try store.state(for: "account:max") == locked, "a saved state must load back unchanged")
        try store.save(ThrottleState(), for: "ip:::1")
        try C.expect(try store.state(for: "ip:::1") == ThrottleState(), "a fresh state must load back unchanged")
    }

    static func saveReplacesAndKeysAreIndependent(_ store: any ThrottleStore) throws {
        try store.save(lockedState(), for: "account:max")
        try store.save(delayedState(), for: "account:jürgen")
        try store.save(delayedState(), for: "account:max")
        try C.expect(try store.state(for: "account:max") == delayedState(), "a save must replace the stored state")
        try C.expect(try store.state(for: "account:jürgen") == delayedState(), "another key must keep its state")
        try C.expect(try store.state(for: "account:Max") == nil, "keys are compared exactly, as opaque strings")
    }

    static func removeForgetsOnlyThatKey(_ store: any ThrottleStore) throws {
        try store.save(lockedState(), for: "account:max")
        try store.save(delayedState(), for: "ip:192.0.2.1")
        try store.remove("account:max")
        try C.expect(try store.state(for: "account:max") == nil, "a removed key must have no state")
        try C.expect(try store.state(for: "ip:192.0.2.1") == delayedState(), "other keys must stay")
    }
}
