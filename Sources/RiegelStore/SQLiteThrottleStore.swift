import Foundation
import GRDB
import RiegelCore

/// The ``ThrottleStore`` on SQLite: table `throttle` of migration `v4-throttle`.
///
/// States are stored as JSON text (failure times, delay and lock ends).
/// `updated_at` is set from the database's clock on every save, for housekeeping.
public final class SQLiteThrottleStore: ThrottleStore {
    private let database: RiegelDatabase

    /// A store on `database`.
    public init(database: RiegelDatabase) {
        self.database = database
    }

    public func state(for key: String) throws -> ThrottleState? {
        let text = try database.writer.read { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT state FROM throttle WHERE key = ?"), arguments: [key])
        }
        return try text.map { try StoreColumns.decodeJSON(ThrottleState.self, $0, table: "throttle", row: key) }
    }

    public func save(_ state: ThrottleState, for key: String) throws {
        let text = try StoreColumns.json(state)
        try database.write { db in
            try db.execute(sql: """
                INSERT INTO throttle (key, state, updated_at)
                VALUES (?, ?, (julianday('now') - 2440587.5) * 86400.0)
                ON CONFLICT (key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at
                """, arguments: [key, text])
        }
    }

    /// One write transaction (`BEGIN IMMEDIATE`: the database's write lock is
    /// held from the read to the commit), or a savepoint of the enclosing one.
    public func update<T>(_ keys: [String], _ body: (inout [ThrottleState]) throws -> T) throws -> T {
        try database.write { db in
            let statement = try db.cachedStatement(sql: "SELECT state FROM throttle WHERE key = ?")
            let before = try keys.map { key in
                try String.fetchOne(statement, arguments: [key])
                    .map { try StoreColumns.decodeJSON(ThrottleState.self, $0, table: "throttle", row: key) }
                    ?? ThrottleState()
            }
            var states = before
            let result = try body(&states)
            precondition(states.count == keys.count, "ThrottleStore.update: the body changed the number of states")
            for (index, key) in keys.enumerated() where states[index] != before[index] {
                try db.execute(sql: """
                    INSERT INTO throttle (key, state, updated_at)
                    VALUES (?, ?, (julianday('now') - 2440587.5) * 86400.0)
                    ON CONFLICT (key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at
                    """, arguments: [key, try StoreColumns.json(states[index])])
            }
            return result
        }
    }

    @discardableResult
    public func removeStale(unsavedFor seconds: Double) throws -> Int {
        try database.write { db in
            try db.execute(sql: "DELETE FROM throttle WHERE updated_at < (julianday('now') - 2440587.5) * 86400.0 - ?",
                           arguments: [seconds])
            return db.changesCount
        }
    }

    public func remove(_ key: String) throws {
        try database.write { db in
            try db.execute(sql: "DELETE FROM throttle WHERE key = ?", arguments: [key])
        }
    }
}
