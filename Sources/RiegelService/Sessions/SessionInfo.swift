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

    /// Describes `session` of the user named `username` under `policy`.
    public init(_ session: SessionRecord, username: String, policy: SessionPolicy) {
        sessionID = session.id
        userID = session.userID
        self.username = username
        assurance = session.assurance
        authenticatedAt = session.authenticatedAt
        secondFactorAt = session.secondFactorAt
        expiresAt = session.createdAt.adding(seconds: policy.absoluteTimeout)
        idleExpiresAt = min(session.lastActivityAt.adding(seconds: policy.idleTimeout), expiresAt)
    }
}

/// A session just opened: its token is shown this once.
public struct NewSession: Sendable, Hashable {
    /// The bearer token (256 random bits, base64url). Only its digest is stored.
    public var token: String
    public var info: SessionInfo
}
