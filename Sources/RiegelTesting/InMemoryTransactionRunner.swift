import RiegelCore

/// A ``TransactionRunner`` for unit tests: runs the body (the in-memory
/// stores commit each write at once; atomicity is the SQLite runner's job).
public struct InMemoryTransactionRunner: TransactionRunner {
    /// A runner.
    public init() {}

    public func inTransaction<T>(_ body: () throws -> T) throws -> T {
        try body()
    }
}
