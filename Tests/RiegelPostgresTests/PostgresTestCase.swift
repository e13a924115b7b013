import Foundation
@testable import RiegelPostgres
import XCTest

/// A test case with fresh PostgreSQL databases: each ``makeDatabase()`` is a
/// new database copied from the migrated template, dropped in `tearDown`.
class PostgresTestCase: XCTestCase {
    private var made: [(name: String, database: PostgresDatabase)] = []
    private static let counter = Counter()

    override func tearDown() {
        for (name, database) in made {
            database.close()
            try? PostgresTestServer.server().psql("postgres", "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        }
        made = []
        super.tearDown()
    }

    /// A new, migrated, empty database.
    func makeDatabase() throws -> PostgresDatabase {
        let server = try PostgresTestServer.server()
        let name = "riegel_t\(getpid())_\(Self.counter.next())"
        // The template may still show a closing connection for a moment: retry briefly.
        for attempt in 1... {
            do {
                try server.psql("postgres", "CREATE DATABASE \(name) TEMPLATE \(PostgresTestServer.template)")
                break
            } catch where attempt < 20 {
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
        let database = try PostgresDatabase.open(server.settings(database: name))
        made.append((name, database))
        return database
    }

    /// A second pool on the same database as `database` (as a second riegeld instance has).
    func reopen(_ database: PostgresDatabase) throws -> PostgresDatabase {
        guard let name = made.first(where: { $0.database === database })?.name else {
            throw PostgresTestServerError.startFailed("reopen: not a database of this test")
        }
        let second = try PostgresDatabase.open(try PostgresTestServer.server().settings(database: name))
        made.insert((name, second), at: 0)
        return second
    }

    /// Empties every table of `database` (between the rules of one conformance run).
    func erase(_ database: PostgresDatabase) throws -> PostgresDatabase {
        try database.withSession { session in
            let tables = try session.query("""
                SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'riegel_migrations'
                """).map { try $0.text("tablename", table: "pg_tables") }
            guard !tables.isEmpty else { return }
            try session.execute("TRUNCATE \(tables.map { "\"\($0)\"" }.joined(separator: ", ")) RESTART IDENTITY CASCADE")
        }
        return database
    }
}

/// A process-wide counter for unique database names.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
