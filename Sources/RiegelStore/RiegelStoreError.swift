/// Failures of the SQLite stores that are not the port's own errors.
public enum RiegelStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stored row cannot be turned back into a value (edited by hand, or
    /// written by a version with different rules). The detail names the row
    /// by its id, never by a secret or personal datum.
    case corruptRecord(table: String, detail: String)

    /// A message that says what went wrong and how to fix it.
    public var description: String {
        switch self {
        case .corruptRecord(let table, let detail):
            return "corrupt row in table \(table): \(detail); restore the database from a backup or remove the row"
        }
    }
}
