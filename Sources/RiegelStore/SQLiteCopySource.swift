import Foundation
import GRDB
import RiegelCore

/// A SQLite store as the source of `riegelctl storage copy`: every table
/// but GRDB's and SQLite's bookkeeping, read on one read transaction, rows
/// in `rowid` (insertion) order.
public struct SQLiteCopySource: StorageCopySource {
    private let database: RiegelDatabase

    /// The store in `database` (opened, and so migrated to this build's schema).
    public init(database: RiegelDatabase) {
        self.database = database
    }

    public func snapshot<T>(_ body: (any StorageSnapshot) throws -> T) throws -> T {
        try database.writer.read { db in try body(Snapshot(db: db)) }
    }

    private struct Snapshot: StorageSnapshot {
        let db: Database

        func tables() throws -> [String: [String]] {
            var out: [String: [String]] = [:]
            let names = try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master WHERE type = 'table'
                AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> 'grdb_migrations' ORDER BY name
                """)
            for name in names {
                out[name] = try Row.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?) ORDER BY cid", arguments: [name])
                    .map { $0["name"] }
            }
            return out
        }

        func count(_ table: String) throws -> Int {
            try Int.fetchOne(db, sql: "SELECT count(*) FROM \(quoted(table))") ?? 0
        }

        func scan(_ table: String, columns: [String], batchSize: Int, _ body: ([[StoredValue]]) throws -> Void) throws {
            // A WITHOUT ROWID table has no rowid: it is read in key order.
            let hasRowID = (try? db.execute(sql: "SELECT rowid FROM \(quoted(table)) LIMIT 0")) != nil
            let sql = "SELECT \(columns.map { quoted($0) }.joined(separator: ", ")) FROM \(quoted(table))"
                + (hasRowID ? " ORDER BY rowid" : "")
            let cursor = try Row.fetchCursor(db, sql: sql)
            var batch: [[StoredValue]] = []
            batch.reserveCapacity(batchSize)
            while let row = try cursor.next() {
                batch.append((0..<columns.count).map { Self.value(row[$0] as DatabaseValue) })
                if batch.count == batchSize {
                    try body(batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            if !batch.isEmpty { try body(batch) }
        }

        private static func value(_ value: DatabaseValue) -> StoredValue {
            switch value.storage {
            case .null: .null
            case .int64(let v): .integer(v)
            case .double(let v): .real(v)
            case .string(let v): .text(v)
            case .blob(let v): .bytes(Array(v))
            }
        }

        private func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
    }
}
