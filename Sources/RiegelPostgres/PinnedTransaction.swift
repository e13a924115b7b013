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

    /// `body` in a savepoint: released when it returns, rolled back to (the
    /// outer transaction goes on) when it throws.
    func savepoint<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        let level = depth.withLockedValue { value -> Int in value += 1; return value }
        defer { depth.withLockedValue { $0 -= 1 } }
        let name = "riegel_sp\(level)"
        try session.execute("SAVEPOINT \(name)")
        do {
            let result = try body(session)
            try session.execute("RELEASE SAVEPOINT \(name)")
            return result
        } catch {
            _ = try? session.execute("ROLLBACK TO SAVEPOINT \(name)")
            throw error
        }
    }
}
