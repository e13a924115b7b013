import RiegelCore
import Synchronization

/// A ``ThrottleStore`` in memory.
public final class InMemoryThrottleStore: ThrottleStore, Sendable {
    private let states = Mutex([String: ThrottleState]())

    /// An empty store.
    public init() {}

    public func state(for key: String) throws -> ThrottleState? {
        states.withLock { $0[key] }
    }

    public func save(_ state: ThrottleState, for key: String) throws {
        states.withLock { $0[key] = state }
    }

    public func remove(_ key: String) throws {
        _ = states.withLock { $0.removeValue(forKey: key) }
    }
}
