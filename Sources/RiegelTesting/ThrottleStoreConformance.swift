import Foundation
import RiegelCore
import Synchronization

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
        ("updateSeesStoredAndFreshStatesAndStoresWhatItChanged", updateSeesStoredAndFreshStatesAndStoresWhatItChanged),
        ("updateThatThrowsStoresNothing", updateThatThrowsStoresNothing),
        ("updateStoresEveryKeyItChanged", updateStoresEveryKeyItChanged),
        ("concurrentUpdatesOfOneKeyLoseNoFailure", concurrentUpdatesOfOneKeyLoseNoFailure),
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

    static func updateSeesStoredAndFreshStatesAndStoresWhatItChanged(_ store: any ThrottleStore) throws {
        try store.save(delayedState(), for: "account:max")
        let seen = try store.update(["account:max", "ip:192.0.2.1"]) { states -> [ThrottleState] in
            let seen = states
            states[1].recordFailure(now: C.at(100), policy: .clientAddressDefault)
            return seen
        }
        try C.expect(seen == [delayedState(), ThrottleState()],
                     "update must hand over the stored state, and a fresh one for an unknown key")
        try C.expect(try store.state(for: "account:max") == delayedState(), "an unchanged state stays as stored")
        var expected = ThrottleState()
        expected.recordFailure(now: C.at(100), policy: .clientAddressDefault)
        try C.expect(try store.state(for: "ip:192.0.2.1") == expected, "a changed state must be stored")
        try store.update(["ip:192.0.2.9"]) { _ in }
        try C.expect(try store.state(for: "ip:192.0.2.9") == nil, "an untouched fresh state is not stored")
    }

    /// A login's update changes both its keys (the account's and the
    /// address's, one stored and one new); both are stored, each with its own state.
    static func updateStoresEveryKeyItChanged(_ store: any ThrottleStore) throws {
        try store.save(delayedState(), for: "account:max")
        try store.update(["account:max", "ip:192.0.2.1"]) { states in
            states[0].unlock()
            states[1].recordFailure(now: C.at(7), policy: .clientAddressDefault)
        }
        var account = delayedState()
        account.unlock()
        var address = ThrottleState()
        address.recordFailure(now: C.at(7), policy: .clientAddressDefault)
        try C.expect(try store.state(for: "account:max") == account, "the stored key's new state must be stored")
        try C.expect(try store.state(for: "ip:192.0.2.1") == address, "the new key's state must be stored")
        try C.expect(account != delayedState(), "the test must change the stored state")
    }

    struct Refused: Error {}

    static func updateThatThrowsStoresNothing(_ store: any ThrottleStore) throws {
        try store.save(delayedState(), for: "account:max")
        try C.expectThrows("the body's error must come through") {
            try store.update(["account:max", "ip:192.0.2.1"]) { states in
                states[0].unlock()
                states[1].recordFailure(now: C.at(1), policy: .clientAddressDefault)
                throw Refused()
            }
        }
        try C.expect(try store.state(for: "account:max") == delayedState() && store.state(for: "ip:192.0.2.1") == nil,
                     "a body that throws must leave every state as it was")
    }

    /// Issue 11, item 2: read-modify-writes of one key from many threads at
    /// once must each see the previous one's result (none is lost).
    static func concurrentUpdatesOfOneKeyLoseNoFailure(_ store: any ThrottleStore) throws {
        let roomy = try ThrottlePolicy(delayThreshold: 1000, lockout: .init(threshold: 1000))
        let errors = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 200) { i in
            do {
                try store.update(["account:max"]) { states in
                    _ = states[0].recordFailure(now: C.at(Double(i)), policy: roomy)
                }
            } catch {
                errors.withLock { $0 += 1 }
            }
        }
        try C.expect(errors.withLock { $0 } == 0, "no update may fail")
        let failures = try store.state(for: "account:max")?.failures.count
        try C.expect(failures == 200, "200 concurrent updates must store 200 failures, not \(failures ?? 0)")
    }
}
