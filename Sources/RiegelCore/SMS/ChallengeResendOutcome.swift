/// What ``SMSChallenge/resend(newDigest:now:)`` decided.
public enum ChallengeResendOutcome: Sendable, Hashable {
    /// The new digest replaced the old one: send the new code now. The
    /// previous code no longer verifies.
    case sent
    /// The cooldown since the last send has not passed: `ResendTooSoon`.
    case tooSoon(retryAfter: Int)
    /// The challenge used all its resends: answer `TooManyAttempts` with
    /// the seconds until the challenge expires (the user may start over then).
    case limitReached
    /// The code's lifetime ran out: `ChallengeExpired`.
    case expired
    /// The challenge is over (verified or failed): `ChallengeExpired`.
    case closed

    /// Whether the caller should send the new code.
    public var isSent: Bool { self == .sent }
}
