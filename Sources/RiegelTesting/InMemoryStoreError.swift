/// A write an in-memory fake refuses, as the SQLite store's constraints would.
public enum InMemoryStoreError: Error, Sendable, Hashable {
    /// A row with this primary or unique key exists (`table.column`).
    case duplicate(String)
}
