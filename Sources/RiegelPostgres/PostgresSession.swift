import Logging
import NIOCore
import PostgresNIO

/// One leased connection, used synchronously by the stores: every call
/// blocks the calling thread until the server answers. The caller must not
/// be on the connection's own event loop (checked by ``PostgresDatabase``).
struct PostgresSession: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    /// Runs `sql` with `binds` (`$1`, `$2`, …) and returns its rows.
    @discardableResult
    func query(_ sql: String, _ binds: [any SQLBindable] = []) throws -> [PostgresRow] {
        try run(sql, binds).rows
    }

    /// Runs `sql` and returns how many rows it changed (or returned).
    @discardableResult
    func execute(_ sql: String, _ binds: [any SQLBindable] = []) throws -> Int {
        let result = try run(sql, binds)
        return result.metadata.rows ?? result.rows.count
    }

    /// The row `select` finds for `key` (`$1`; the statement ends in `FOR
    /// UPDATE`), locked until the transaction ends; nil when there is none,
    /// and then the key is locked instead: by a transaction-scoped advisory
    /// lock on it in `space`, after which the read repeats (whoever creates
    /// the row holds that lock until it commits, so a second creator finds
    /// the row, and locks it, on its re-read). One round trip when the row
    /// exists. For read-modify-writes atomic across instances.
    func lockedRow(_ select: String, key: any SQLBindable, space: Int) throws -> PostgresRow? {
        if let row = try query(select, [key]).first { return row }
        try execute("SELECT pg_advisory_xact_lock(hashtextextended($1, $2))", [key, space])
        return try query(select, [key]).first
    }

    private func run(_ sql: String, _ binds: [any SQLBindable]) throws -> PostgresQueryResult {
        var bindings = PostgresBindings(capacity: binds.count)
        for bind in binds { bind.sqlValue.append(to: &bindings) }
        // Not `wait()`: NIO refuses it on every event loop, and a cache miss of
        // CheckSession runs on a varlink loop. Blocking that loop's thread is
        // safe here (the connection lives on the database's own loop, which
        // ``PostgresDatabase`` never lets a caller block).
        let result = BlockingResult<PostgresQueryResult>()
        connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
            .whenComplete { result.finish($0) }
        do {
            return try result.wait(seconds: nil)!.get()
        } catch {
            throw PostgresStoreError.wrap(error)
        }
    }
}
