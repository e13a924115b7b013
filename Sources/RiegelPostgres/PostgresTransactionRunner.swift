import RiegelCore

/// The ``TransactionRunner`` on PostgreSQL: the body runs in one transaction
/// on one pinned connection, and the stores' writes within it become
/// savepoints of that transaction (see ``PostgresDatabase/transaction(_:)``).
public struct PostgresTransactionRunner: TransactionRunner {
    private let database: PostgresDatabase

    /// A runner on `database` (the one the stores use).
    public init(database: PostgresDatabase) {
        self.database = database
    }

    public func inTransaction<T>(_ body: () throws -> T) throws -> T {
        try database.transaction { _ in try body() }
    }
}
