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
    /// Recomputes the chain from the first entry and checks every stored
    /// hash and every checkpoint (see ``AuditChainVerifier``).
    func verify() throws -> AuditVerification
}
