/// Where a ``SessionChangeFeed`` delivers what other writers of a shared
/// session store changed: the instance's in-memory session table.
public protocol SessionChangeSink: Sendable {
    /// These stored sessions were revoked, renewed, demoted or deleted since
    /// they were read: whatever memory holds of them is stale.
    func sessionsChanged(_ ids: [SessionID])
    /// Changes may have been missed (the first connection, or a gap longer
    /// than the store keeps its change log): whatever memory holds may be stale.
    func allSessionsMayHaveChanged()
    /// Every change committed before `asOf` has now been delivered.
    func sessionChangesCaughtUp(asOf: Instant)
}
