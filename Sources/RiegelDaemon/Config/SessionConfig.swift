import RiegelService

/// `[session]`: how long sessions live and how their activity is kept. The
/// defaults of the policy's settings are ``SessionPolicy``'s (one source).
public struct SessionConfig: Sendable, Equatable {
    /// A session idle this long is gone.
    public var idleTimeout = ConfigDuration.seconds(SessionPolicy().idleTimeout)
    /// A session this old is gone, whatever its activity.
    public var absoluteTimeout = ConfigDuration.seconds(SessionPolicy().absoluteTimeout)
    /// How often last-activity times are written to the store (a crash loses at most this window).
    public var activityFlushInterval = ConfigDuration.seconds(5)
    /// Open sessions per user; opening one more ends the oldest.
    public var maxPerUser = SessionPolicy().maxPerUser
    /// On PostgreSQL: how far behind other instances' revocations memory may
    /// be and still answer checks (``SessionPolicy/sharedCacheStaleness``).
    public var sharedCacheStaleness = ConfigDuration.seconds(SessionPolicy().sharedCacheStaleness)

    /// The defaults.
    public init() {}

    /// The policy these settings make.
    public var policy: SessionPolicy {
        SessionPolicy(idleTimeout: idleTimeout.seconds, absoluteTimeout: absoluteTimeout.seconds, maxPerUser: maxPerUser,
                      sharedCacheStaleness: sharedCacheStaleness.seconds)
    }

    static func read(_ s: inout ConfigSection) -> SessionConfig {
        var c = SessionConfig()
        c.idleTimeout = s.duration("idle_timeout", c.idleTimeout)
        c.absoluteTimeout = s.duration("absolute_timeout", c.absoluteTimeout)
        c.activityFlushInterval = s.duration("activity_flush_interval", c.activityFlushInterval)
        c.maxPerUser = s.int("max_per_user", c.maxPerUser, in: 1...10_000)
        c.sharedCacheStaleness = s.duration("shared_cache_staleness", c.sharedCacheStaleness)
        if c.idleTimeout > c.absoluteTimeout {
            s.report("idle_timeout", "\(c.idleTimeout) is longer than absolute_timeout (\(c.absoluteTimeout)); make it shorter or equal")
        }
        if c.activityFlushInterval >= c.idleTimeout {
            s.report("activity_flush_interval", "\(c.activityFlushInterval) must be shorter than idle_timeout (\(c.idleTimeout)), or a crash could keep an idle session alive")
        }
        return c
    }
}
