import RiegelCore

/// What a password login gives: a session, or an SMS challenge to finish first.
public enum LoginOutcome: Sendable, Hashable {
    /// No second factor needed (not enrolled, or a trusted device: then
    /// `deviceToken` is the device token's successor, and the presented one
    /// stopped working).
    case session(NewSession, deviceToken: String? = nil)
    /// The second factor is on: `VerifyChallenge` with the SMS code gives the session.
    case challenge(ChallengeView)
}
