import RiegelCore
import Synchronization

/// A ``ThrottleStore`` in memory.
public final class InMemoryThrottleStore: ThrottleStore, Sendable {
    private let states = Mutex([String: (state: ThrottleState, savedAt: ContinuousClock.Instant)]())

    /// An empty store.
    public init() {}

    public func state(for key: String) throws -> ThrottleState? {
        states.withLock { $0[key]?.state }
    }

    public func save(_ state: ThrottleState, for key: String) throws {
        states.withLock { $0[key] = (state, .now) }
    }

    /// Under the store's lock, so concurrent updates of a key serialize.
    public func update<T>(_ keys: [String], _ body: (inout [ThrottleState]) throws -> T) throws -> T {
        try states.withLock { stored in
            let before = keys.map { stored[$0]?.state ?? ThrottleState() }
            var changed = before
            let result = try body(&changed)
            precondition(changed.count == keys.count, "ThrottleStore.update: the body changed the number of states")
            for (index, key) in keys.enumerated() where changed[index] != before[index] {
                stored[key] = (changed[index], .now)
            }
            return result
        }
    }

    @discardableResult
    public func removeStale(unsavedFor seconds: Double) throws -> Int {
        let cutoff = ContinuousClock.now.advanced(by: .milliseconds(Int64(-seconds * 1000)))
        return states.withLock { states in
            let before = states.count
            states = states.filter { $0.value.savedAt >= cutoff }
            return before - states.count
        }
    }

    public func remove(_ key: String) throws {
        _ = states.withLock { $0.removeValue(forKey: key) }
    }
}
