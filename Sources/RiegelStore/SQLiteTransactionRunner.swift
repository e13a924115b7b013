import RiegelCore

/// The ``TransactionRunner`` on SQLite: the body runs inside one write
/// transaction of the database, and the stores' writes within it become
/// savepoints of that transaction (see `RiegelDatabase.write`).
public struct SQLiteTransactionRunner: TransactionRunner {
    private let database: RiegelDatabase

    /// A runner on `database` (the one the stores use).
    public init(database: RiegelDatabase) {
        self.database = database
    }

    public func inTransaction<T>(_ body: () throws -> T) throws -> T {
        try database.write { _ in try body() }
    }
}
