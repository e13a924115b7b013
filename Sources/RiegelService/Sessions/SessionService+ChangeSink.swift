import RiegelCore

/// On a shared store, the ``SessionChangeFeed`` reports here what other
/// instances changed: the table forgets those sessions (the next check reads
/// them again), and the time of the last catch-up decides whether checks may
/// be answered from memory (``SessionPolicy/sharedCacheStaleness``).
extension SessionService: SessionChangeSink {
    public func sessionsChanged(_ ids: [SessionID]) {
        guard !ids.isEmpty else { return }
        table.forget(ids)
        reportLive()
    }

    public func allSessionsMayHaveChanged() {
        table.forgetAll()
        reportLive()
    }

    public func sessionChangesCaughtUp(asOf: Instant) {
        let moved = caughtUpAt.withLock { at in
            guard at.map({ asOf > $0 }) ?? true else { return false }
            at = asOf
            return true
        }
        if moved { metrics.sessionChangesCaughtUp(at: asOf) }
    }

    /// When the change feed last caught up (nil: never, or not a shared store).
    public var changesCaughtUpAt: Instant? { caughtUpAt.withLock { $0 } }
}
