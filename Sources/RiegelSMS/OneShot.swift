import Synchronization

/// A value set once by whoever comes first (process exit, timeout,
/// cancellation) and awaited by one waiter.
final class OneShot<Value: Sendable>: Sendable {
    private struct State {
        var value: Value?
        var waiter: CheckedContinuation<Value, Never>?
    }

    private let state = Mutex(State())

    /// Sets the value if none is set yet; true when this call set it.
    @discardableResult
    func fulfil(_ value: Value) -> Bool {
        let waiter: CheckedContinuation<Value, Never>?? = state.withLock { s in
            guard s.value == nil else { return .none }
            s.value = value
            defer { s.waiter = nil }
            return .some(s.waiter)
        }
        guard let waiter else { return false }
        waiter?.resume(returning: value)
        return true
    }

    /// Whether a value is set.
    var isFulfilled: Bool { state.withLock { $0.value != nil } }

    /// Waits for the value (one waiter only).
    func wait() async -> Value {
        await withCheckedContinuation { continuation in
            let ready: Value? = state.withLock { s in
                if let value = s.value { return value }
                s.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
