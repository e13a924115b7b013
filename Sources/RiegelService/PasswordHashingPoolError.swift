import RiegelCore

/// Why the password hashing pool did not run a hash or verification.
///
/// - Important: no case carries the password or the hash.
public enum PasswordHashingPoolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Every worker is busy and the queue is full; the call was refused at once.
    case overloaded(retryAfterSeconds: Int)
    /// The pool is shutting down or shut down; the call was not run.
    case shutDown

    /// The error a use case reports to its caller (`io.riegel.Auth.Overloaded`
    /// in both cases: a daemon that is stopping will be back, so "retry" is right).
    public var riegelError: RiegelError {
        switch self {
        case .overloaded(let seconds): return .overloaded(retryAfterSeconds: seconds)
        case .shutDown: return .overloaded(retryAfterSeconds: 1)
        }
    }

    /// A message that says what happened and how to fix it.
    public var description: String {
        switch self {
        case .overloaded(let seconds):
            return "password hashing pool is full (all workers busy, queue at its limit); retry after \(seconds) s, "
                + "or raise [password] queue_limit / workers if the host has memory for more concurrent hashes"
        case .shutDown:
            return "password hashing pool is shut down; the daemon is stopping, retry once it is back"
        }
    }
}
