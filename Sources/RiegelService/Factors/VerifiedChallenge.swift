import RiegelCore

/// A challenge of any factor whose code was right: what `VerifyChallenge`
/// then unlocks (its purpose) and how (the factor, for the session's method).
public struct VerifiedChallenge: Sendable, Hashable {
    public var id: ChallengeID
    public var purpose: ChallengePurpose
    public var kind: FactorKind
    public var userID: UserID
    public var sessionID: SessionID?
    public var credentialGeneration: Int?
    public var pendingReset: PendingPasswordReset?
    public var language: String?
    /// SMS: the stored challenge (its phone, for an enrolment).
    public var sms: StoredChallenge?

    /// A verified SMS challenge.
    public init(_ stored: StoredChallenge) {
        id = stored.challenge.id
        purpose = stored.challenge.purpose
        kind = .sms
        userID = stored.challenge.userID
        sessionID = stored.challenge.sessionID
        credentialGeneration = stored.credentialGeneration
        pendingReset = stored.pendingReset
        language = stored.language
        sms = stored
    }

    /// A verified challenge of a factor that sends nothing.
    public init(_ challenge: FactorChallenge) {
        id = challenge.id
        purpose = challenge.purpose
        kind = challenge.kind
        userID = challenge.userID
        sessionID = challenge.sessionID
        credentialGeneration = challenge.credentialGeneration
        pendingReset = challenge.pendingReset
        language = challenge.language
        sms = nil
    }
}
