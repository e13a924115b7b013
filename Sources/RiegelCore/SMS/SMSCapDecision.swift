/// What ``SMSSendCaps/check(phone:user:country:global:now:)`` decided.
public enum SMSCapDecision: Sendable, Hashable {
    /// Send, then record the send in all four windows.
    case allowed
    /// Refuse with `TooManyAttempts(retry_after)` and audit `kind`.
    case capped(SMSCapKind, retryAfter: Int)

    /// The error to answer with, or nil when allowed.
    public var error: RiegelError? {
        switch self {
        case .allowed: nil
        case .capped(_, let seconds): .tooManyAttempts(retryAfterSeconds: seconds)
        }
    }
}
