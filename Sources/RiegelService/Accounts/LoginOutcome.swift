import RiegelCore

/// What a password login gives: a session, or a second-factor challenge to finish first.
public enum LoginOutcome: Sendable, Hashable {
    /// No second factor needed (not enrolled, or a trusted device: then
    /// `deviceToken` is the device token's successor, and the presented one
    /// stopped working).
    case session(NewSession, deviceToken: String? = nil)
    /// The second factor is on: `VerifyChallenge` with the code (of the
    /// challenge's factor: SMS, app or recovery code) gives the session.
    case challenge(ChallengeView)
}
