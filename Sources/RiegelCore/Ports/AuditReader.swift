/// Reads and verifies the audit trail (the `io.riegel.Audit` interface).
public protocol AuditReader: Sendable {
    /// The entries matching `filter` (see ``AuditFilter/matches(_:)``):
    /// all of them, or with `limit` the newest `limit`; always oldest first.
    /// A `limit` of 0 or less finds nothing.
    func query(_ filter: AuditFilter, limit: Int?) throws -> AuditQueryResult
    /// How many entries match `filter` (without reading them).
    func count(matching filter: AuditFilter) throws -> Int
    /// Up to `limit` entries with seq greater than `seq` matching `filter`,
    /// oldest first: how a follower catches up (start from
    /// ``AuditQueryResult/lastSeq``, continue from the last seq returned).
    func entries(after seq: Int64, matching filter: AuditFilter, limit: Int) throws -> [AuditEntry]
    /// The seq of the last entry (0 if the log is empty).
    func lastSeq() throws -> Int64
    /// Recomputes the chain from the first retained entry (after the
    /// anchor) and checks every stored hash and every checkpoint (see
    /// ``AuditChainVerifier``).
    func verify() throws -> AuditVerification
    /// Where a pruned trail starts: the signed last pruned entry; nil if
    /// nothing was ever pruned.
    func anchor() throws -> AuditCheckpoint?
    /// The stored checkpoints with `seq` in `range`, oldest first.
    func checkpoints(in range: ClosedRange<Int64>) throws -> [AuditCheckpoint]
    /// The seqs of an export from `since` to `until` (nil: open): from the
    /// first retained entry timed at or after `since` to the last timed at or
    /// before `until`, every entry between them included; nil if none.
    func seqRange(since: Instant?, until: Instant?) throws -> ClosedRange<Int64>?
}
