/// Why ``PostgresStoreImport`` refused or undid a copy (nothing is left
/// written: the copy is one transaction).
public enum StoreImportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The source has a table PostgreSQL's schema lacks (a newer source?).
    case unknownTable(String)
    /// The source has a column the PostgreSQL table lacks.
    case unknownColumn(table: String, column: String)
    /// The target already holds rows: a copy only goes into an empty database.
    case targetNotEmpty(table: String)
    /// A value that does not fit its column's type.
    case unconvertibleValue(table: String, column: String, type: String)
    /// Fewer or more rows arrived than the source has.
    case countMismatch(table: String, source: Int, copied: Int)
    /// The copied audit chain does not link at this entry.
    case brokenAuditChain(seq: Int64)
    /// The tables' foreign keys form a cycle (no order to insert them in).
    case cyclicReferences([String])

    public var description: String {
        switch self {
        case .unknownTable(let t): "the source has a table '\(t)' that the PostgreSQL schema lacks (is the source newer than this riegel?)"
        case .unknownColumn(let t, let c): "the source's table '\(t)' has a column '\(c)' that PostgreSQL lacks"
        case .targetNotEmpty(let t): "the PostgreSQL database is not empty (table '\(t)' has rows): copy only into a new database"
        case .unconvertibleValue(let t, let c, let type): "a value of \(t).\(c) does not fit PostgreSQL's \(type)"
        case .countMismatch(let t, let s, let c): "\(t): the source has \(s) rows, the copy \(c)"
        case .brokenAuditChain(let seq): "the copied audit chain does not link at entry \(seq)"
        case .cyclicReferences(let ts): "no insertion order for tables \(ts.joined(separator: ", "))"
        }
    }
}
