/// What a throttle says about a login attempt before the password is checked.
public enum ThrottleDecision: Sendable, Hashable {
    /// Go ahead and check the password.
    case allowed
    /// Refuse with `TooManyAttempts(retry_after)`; whole seconds, at least 1.
    case delayed(retryAfter: Int)
    /// Refuse with `AccountLocked(until)`.
    case locked(until: Instant)

    /// Whether the attempt may proceed.
    public var isAllowed: Bool { self == .allowed }

    /// The more restrictive of `self` and `other`: a lock beats a delay
    /// (the later lock wins), a delay beats allowed (the longer one wins).
    public func combined(with other: ThrottleDecision) -> ThrottleDecision {
        switch (self, other) {
        case (.locked(let a), .locked(let b)): .locked(until: max(a, b))
        case (.locked, _): self
        case (_, .locked): other
        case (.delayed(let a), .delayed(let b)): .delayed(retryAfter: max(a, b))
        case (.delayed, _): self
        case (_, .delayed): other
        case (.allowed, .allowed): .allowed
        }
    }
}
