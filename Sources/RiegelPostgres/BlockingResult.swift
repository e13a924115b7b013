import Dispatch
import NIOConcurrencyHelpers

/// A result handed from async work to a thread that waits for it, with a
/// deadline. A value that arrives after the waiter gave up is refused, so
/// its sender can undo it (a leased connection goes back to the pool).
final class BlockingResult<Value: Sendable>: Sendable {
    private enum State {
        case waiting
        case done(Result<Value, any Error>)
        case abandoned
    }

    private let semaphore = DispatchSemaphore(value: 0)
    private let state = NIOLockedValueBox(State.waiting)

    /// Delivers the result; false if the waiter already gave up.
    @discardableResult
    func finish(_ result: Result<Value, any Error>) -> Bool {
        let accepted = state.withLockedValue { state -> Bool in
            guard case .waiting = state else { return false }
            state = .done(result)
            return true
        }
        if accepted { semaphore.signal() }
        return accepted
    }

    /// Waits up to `seconds` (for ever if nil); nil if the deadline passed.
    func wait(seconds: Double?) -> Result<Value, any Error>? {
        if let seconds {
            if semaphore.wait(timeout: .now() + seconds) == .timedOut {
                let result = state.withLockedValue { state -> Result<Value, any Error>? in
                    if case .done(let result) = state { return result }
                    state = .abandoned
                    return nil
                }
                // A result that slipped in between the timeout and the lock was signalled: take the signal.
                if result != nil { semaphore.wait() }
                return result
            }
        } else {
            semaphore.wait()
        }
        return state.withLockedValue { state in
            guard case .done(let result) = state else { return nil }
            return result
        }
    }
}
