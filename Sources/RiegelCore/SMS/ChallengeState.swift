/// Where an SMS challenge is in its life (see `docs/flows/sms-challenge.md`).
///
/// - Important: raw values are stored; never rename a case.
public enum ChallengeState: String, Sendable, Hashable, Codable, CaseIterable {
    /// Waiting for its code.
    case pending
    /// The code was right; the challenge is used up (single use).
    case verified
    /// Too many wrong codes; the challenge is dead.
    case failed
    /// The code's lifetime ran out before it was verified.
    case expired
}
