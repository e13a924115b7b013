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
