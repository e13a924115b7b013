import RiegelCore

/// How long sessions live (security rule 6), and how many one user may hold.
public struct SessionPolicy: Sendable, Hashable {
    /// Without activity for this long, a session is gone.
    public var idleTimeout: Double
    /// After this long since creation, a session is gone whatever its activity.
    public var absoluteTimeout: Double
    /// Live sessions per user; opening one more ends the oldest.
    public var maxPerUser: Int
    /// On a shared store (PostgreSQL): seconds since the change feed last
    /// caught up within which a check is answered from memory; past it, every
    /// check reads the stored row (and fails closed if it cannot). The most
    /// a revocation on another instance can take to reach this one while
    /// its feed is down.
    public var sharedCacheStaleness: Double

    /// Defaults: 15 minutes idle, 12 hours absolute, 50 per user, 3 seconds of shared-cache staleness.
    public init(idleTimeout: Double = 900, absoluteTimeout: Double = 43_200, maxPerUser: Int = 50,
                sharedCacheStaleness: Double = 3) {
        self.idleTimeout = idleTimeout
        self.absoluteTimeout = absoluteTimeout
        self.maxPerUser = maxPerUser
        self.sharedCacheStaleness = sharedCacheStaleness
    }

    /// Why a session with these times is no longer valid at `now`, or nil if it is valid.
    public func endReason(revoked: Bool, createdAt: Instant, lastActivityAt: Instant, now: Instant) -> SessionEndReason? {
        if revoked { return .revoked }
        if now.seconds(since: createdAt) >= absoluteTimeout { return .absolute }
        if now.seconds(since: lastActivityAt) >= idleTimeout { return .idle }
        return nil
    }

    /// Why `session` is no longer valid at `now`, or nil if it is valid.
    public func endReason(of session: SessionRecord, now: Instant) -> SessionEndReason? {
        endReason(revoked: session.revokedAt != nil, createdAt: session.createdAt,
                  lastActivityAt: session.lastActivityAt, now: now)
    }
}
