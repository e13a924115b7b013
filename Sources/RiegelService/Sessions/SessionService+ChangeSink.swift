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
        let desired = asOf.secondsSinceEpoch.bitPattern
        var current = caughtUpBits.load(ordering: .relaxed)
        // Only forward: a catch-up reported late never moves the time back.
        while current == 0 || asOf.secondsSinceEpoch > Double(bitPattern: current) {
            let (exchanged, original) = caughtUpBits.compareExchange(expected: current, desired: desired,
                                                                      ordering: .acquiringAndReleasing)
            if exchanged {
                metrics.sessionChangesCaughtUp(at: asOf)
                return
            }
            current = original
        }
    }

    /// When the change feed last caught up (nil: never, or not a shared store).
    public var changesCaughtUpAt: Instant? {
        let bits = caughtUpBits.load(ordering: .acquiring)
        return bits == 0 ? nil : Instant(secondsSinceEpoch: Double(bitPattern: bits))
    }
}
