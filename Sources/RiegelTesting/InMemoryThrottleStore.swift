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
