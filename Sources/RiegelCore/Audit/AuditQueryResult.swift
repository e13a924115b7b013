/// The entries a query found, and where the log ended when it ran.
public struct AuditQueryResult: Sendable, Hashable {
    /// The matching entries, oldest first.
    public var entries: [AuditEntry]
    /// The log's last seq when the query ran (0 if empty): follow from here with
    /// ``AuditReader/entries(after:matching:limit:)`` and nothing is missed or repeated.
    public var lastSeq: Int64

    /// A result.
    public init(entries: [AuditEntry], lastSeq: Int64) {
        self.entries = entries
        self.lastSeq = lastSeq
    }
}
