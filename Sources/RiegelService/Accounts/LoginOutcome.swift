import RiegelCore

/// What a password login gives: a session, or an SMS challenge to finish first.
public enum LoginOutcome: Sendable, Hashable {
    /// No second factor needed (not enrolled, or a trusted device).
    case session(NewSession)
    /// The second factor is on: `VerifyChallenge` with the SMS code gives the session.
    case challenge(ChallengeView)
}
