import RiegelCore

/// What a caller learns about a session (`io.riegel.Auth.SessionInfo`).
public struct SessionInfo: Sendable, Hashable {
    public var sessionID: SessionID
    public var userID: UserID
    public var username: String
    public var assurance: Assurance
    public var authenticatedAt: Instant
    public var secondFactorAt: Instant?
    public var idleExpiresAt: Instant
    public var expiresAt: Instant

    /// Info from its fields (for encoders' tests).
    public init(sessionID: SessionID, userID: UserID, username: String, assurance: Assurance, authenticatedAt: Instant,
                secondFactorAt: Instant?, idleExpiresAt: Instant, expiresAt: Instant) {
        self.sessionID = sessionID
        self.userID = userID
        self.username = username
        self.assurance = assurance
        self.authenticatedAt = authenticatedAt
        self.secondFactorAt = secondFactorAt
        self.idleExpiresAt = idleExpiresAt
        self.expiresAt = expiresAt
    }

    /// Describes a table entry under `policy`.
    init(_ entry: SessionTable.Entry, policy: SessionPolicy) {
        sessionID = entry.id
        userID = entry.userID
        username = entry.username
        assurance = entry.assurance
        authenticatedAt = entry.authenticatedAt
        secondFactorAt = entry.secondFactorAt
        expiresAt = entry.createdAt.adding(seconds: policy.absoluteTimeout)
        idleExpiresAt = min(entry.lastActivityAt.adding(seconds: policy.idleTimeout), expiresAt)
    }
}

/// A session just opened: its token is shown this once.
public struct NewSession: Sendable, Hashable {
    /// The bearer token (256 random bits, base64url). Only its digest is stored.
    public var token: String
    public var info: SessionInfo
}
