import NIOConcurrencyHelpers

/// The transaction a ``PostgresDatabase/transaction(_:)`` scope holds open
/// on one leased connection; nested scopes are savepoints of it.
final class PinnedTransaction: Sendable {
    let database: PostgresDatabase
    let session: PostgresSession
    private let depth = NIOLockedValueBox(0)

    init(database: PostgresDatabase, session: PostgresSession) {
        self.database = database
        self.session = session
    }

    /// `begin`, `body`, then `COMMIT` (or `ROLLBACK` when anything throws).
    func run<T>(begin: String = "BEGIN", _ body: (PostgresSession) throws -> T) throws -> T {
        try session.execute(begin)
        let result: T
        do {
            result = try body(session)
        } catch {
            _ = try? session.execute("ROLLBACK")
            throw error
        }
        do {
            try session.execute("COMMIT")
        } catch {
            _ = try? session.execute("ROLLBACK")
            throw error
        }
        return result
    }

    /// `body` in a savepoint: rolled back to (the outer transaction goes on)
    /// when it throws. When it returns, the savepoint is left as it is, not
    /// released: its work commits or rolls back with the transaction either
    /// way, and a `RELEASE` would cost a round trip for nothing (an audit
    /// entry in a login's transaction, say). A later scope at the same depth
    /// declares the same name again; `ROLLBACK TO` goes to the newest of a
    /// name, so each scope still rolls back only its own work.
    func savepoint<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        let level = depth.withLockedValue { value -> Int in value += 1; return value }
        defer { depth.withLockedValue { $0 -= 1 } }
        let name = "riegel_sp\(level)"
        try session.execute("SAVEPOINT \(name)")
        do {
            return try body(session)
        } catch {
            _ = try? session.execute("ROLLBACK TO SAVEPOINT \(name)")
            throw error
        }
    }
}
