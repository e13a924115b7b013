/// Appends to the audit trail: the one audit capability every use case gets.
///
/// - Important: append-only. An entry, once appended, is never changed or
///   removed (only its readable username can be blanked, through
///   ``AuditMaintenance``). An event never carries a secret (security rule 9).
public protocol AuditLog: Sendable {
    /// Stamps `event` with the log's time and the next seq, links it to the
    /// previous entry's hash, and commits it (with a checkpoint every N
    /// entries) atomically before returning.
    @discardableResult
    func append(_ event: AuditEvent) throws -> AuditEntry
}
