import RiegelCore

/// What ``PostgresStoreImport/copy(from:batchSize:progress:)`` copied: the
/// rows per table, and where the audit chain ends (nil: no entries).
public struct StoreImportReport: Sendable, Equatable {
    public var rows: [String: Int]
    public var auditHead: AuditChainPosition?
}
