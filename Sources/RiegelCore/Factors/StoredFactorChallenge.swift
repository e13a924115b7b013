/// The JSON of a ``FactorChallenge`` in `factor_challenge.challenge`, one
/// format for the SQLite and PostgreSQL stores (docs/at-rest-formats.md); its
/// pending reset lives in the row's own columns.
public struct StoredFactorChallenge: Codable, Sendable {
    var id: String
    var purpose: ChallengePurpose
    var kind: FactorKind
    var userID: String
    var sessionID: String?
    var createdAt: Double
    var expiresAt: Double
    var attemptsLeft: Int
    var state: ChallengeState
    var language: String?
    var credentialGeneration: Int?

    enum CodingKeys: String, CodingKey {
        case id, purpose, kind, state, language
        case userID = "user_id", sessionID = "session_id", createdAt = "created_at", expiresAt = "expires_at"
        case attemptsLeft = "attempts_left", credentialGeneration = "credential_generation"
    }

    /// The stored form of `c` (without its pending reset).
    public init(_ c: FactorChallenge) {
        id = c.id.rawValue
        purpose = c.purpose
        kind = c.kind
        userID = c.userID.rawValue
        sessionID = c.sessionID?.rawValue
        createdAt = c.createdAt.secondsSinceEpoch
        expiresAt = c.expiresAt.secondsSinceEpoch
        attemptsLeft = c.attemptsLeft
        state = c.state
        language = c.language
        credentialGeneration = c.credentialGeneration
    }

    /// The challenge again, with the pending reset read from the row.
    public func challenge(pendingReset: PendingPasswordReset?) -> FactorChallenge {
        FactorChallenge(id: ChallengeID(rawValue: id), purpose: purpose, kind: kind, userID: UserID(rawValue: userID),
                        sessionID: sessionID.map(SessionID.init(rawValue:)), createdAt: Instant(secondsSinceEpoch: createdAt),
                        expiresAt: Instant(secondsSinceEpoch: expiresAt), attemptsLeft: attemptsLeft, state: state,
                        language: language, credentialGeneration: credentialGeneration, pendingReset: pendingReset)
    }
}
