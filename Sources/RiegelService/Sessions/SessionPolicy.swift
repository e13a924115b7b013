import RiegelCore

/// How long sessions live (security rule 6).
public struct SessionPolicy: Sendable, Hashable {
    /// Without activity for this long, a session is gone.
    public var idleTimeout: Double
    /// After this long since creation, a session is gone whatever its activity.
    public var absoluteTimeout: Double

    /// Defaults: 15 minutes idle, 12 hours absolute.
    public init(idleTimeout: Double = 900, absoluteTimeout: Double = 43_200) {
        self.idleTimeout = idleTimeout
        self.absoluteTimeout = absoluteTimeout
    }

    /// Why `session` is no longer valid at `now`, or nil if it is valid.
    public func endReason(of session: SessionRecord, now: Instant) -> SessionEndReason? {
        if session.revokedAt != nil { return .revoked }
        if now.seconds(since: session.createdAt) >= absoluteTimeout { return .absolute }
        if now.seconds(since: session.lastActivityAt) >= idleTimeout { return .idle }
        return nil
    }
}
