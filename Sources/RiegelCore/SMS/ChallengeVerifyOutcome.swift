/// What ``SMSChallenge/verify(codeMatches:now:)`` decided.
public enum ChallengeVerifyOutcome: Sendable, Hashable {
    /// The code was right; the challenge is now `verified`.
    case verified
    /// The code was wrong; `attemptsLeft` more tries (at least 1). Answer
    /// `InvalidCode(attempts_left)` and record a failure in the account's
    /// ``SecondFactorBudget``.
    case wrong(attemptsLeft: Int)
    /// No attempts left (this wrong code was the last, or an earlier one
    /// was): the challenge is `failed`. Answer `InvalidCode(0)`; record a
    /// failure in the budget when it was this call's code that was wrong.
    case exhausted
    /// The code's lifetime ran out: `ChallengeExpired`.
    case expired
    /// The challenge was verified before: single use, answer as expired.
    case alreadyUsed

    /// The error to answer with, or nil for ``verified``.
    public var error: RiegelError? {
        switch self {
        case .verified: nil
        case .wrong(let left): .invalidCode(attemptsLeft: left)
        case .exhausted: .invalidCode(attemptsLeft: 0)
        case .expired, .alreadyUsed: .challengeExpired
        }
    }
}
