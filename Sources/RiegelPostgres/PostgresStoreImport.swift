import PostgresNIO
import RiegelCore

/// Fills an empty, migrated PostgreSQL database with a copy of another store
/// (`riegelctl storage copy`): every table, in one transaction, so that a
/// failed copy leaves the database as empty as it found it.
///
/// Tables and columns are matched by name (the back ends keep the same
/// ones); a source table or column that PostgreSQL lacks refuses the copy
/// before anything is written. Values are converted to the column's type.
/// The audit chain is inserted in order through its triggers (the head
/// moves with each entry, from the anchor if the trail was pruned), and
/// then walked: every entry must link to the one before.
public struct PostgresStoreImport: Sendable {
    private let database: PostgresDatabase

    /// Tables PostgreSQL keeps for itself: the migration list, the session
    /// change log (it starts empty), and the chain head (moved by the copy).
    static let bookkeeping: Set<String> = ["riegel_migrations", "session_change", "audit_head"]

    /// An import into `database`.
    public init(database: PostgresDatabase) {
        self.database = database
    }

    /// One column of the target: its type (information_schema's `data_type`)
    /// and whether it is an identity column.
    private struct Column {
        var name: String
        var type: String
        var identity: Bool
    }

    /// Copies `source` into the database; returns the rows per table.
    /// - Throws: ``StoreImportError``; ``PostgresStoreError`` for the server's refusals.
    public func copy(from source: any StorageCopySource, batchSize: Int = 500,
                     progress: (String, Int) -> Void = { _, _ in }) throws -> StoreImportReport {
        try source.snapshot { snapshot in
            try database.transaction { db in
                let target = try Self.schema(db)
                let sourceTables = try snapshot.tables()
                for (table, columns) in sourceTables.sorted(by: { $0.key < $1.key }) {
                    guard let known = target[table] else { throw StoreImportError.unknownTable(table) }
                    let names = Set(known.map(\.name))
                    if let missing = columns.first(where: { !names.contains($0) }) {
                        throw StoreImportError.unknownColumn(table: table, column: missing)
                    }
                }
                if let busy = try Self.firstTableWithRows(db, tables: target.keys.sorted()) {
                    throw StoreImportError.targetNotEmpty(table: busy)
                }
                var report = StoreImportReport(rows: [:], auditHead: nil)
                for table in try Self.insertionOrder(db, tables: Set(target.keys)) {
                    guard let columns = sourceTables[table], let known = target[table] else { continue }
                    let typed = columns.map { name in known.first { $0.name == name }! }
                    var copied = 0
                    try snapshot.scan(table, columns: columns, batchSize: batchSize) { rows in
                        try Self.insert(db, table: table, columns: typed, rows: rows)
                        copied += rows.count
                        progress(table, copied)
                    }
                    for column in typed where column.identity {
                        try db.execute("""
                            SELECT setval(pg_get_serial_sequence($1, $2), max_id) FROM (SELECT max(\(Self.quoted(column.name))) AS max_id FROM \(Self.quoted(table))) m
                            WHERE max_id IS NOT NULL
                            """, [Self.quoted(table), column.name])
                    }
                    let expected = try snapshot.count(table)
                    let stored = Int(try db.query("SELECT count(*) AS n FROM \(Self.quoted(table))").first?.int("n", table: table) ?? -1)
                    guard copied == expected, stored == expected else {
                        throw StoreImportError.countMismatch(table: table, source: expected, copied: stored)
                    }
                    report.rows[table] = stored
                }
                report.auditHead = try Self.walkAuditChain(db)
                return report
            }
        }
    }

    private static func schema(_ db: PostgresSession) throws -> [String: [Column]] {
        var out: [String: [Column]] = [:]
        for row in try db.query("""
            SELECT c.table_name, c.column_name, c.data_type, c.is_identity FROM information_schema.columns c
            JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
            ORDER BY c.table_name, c.ordinal_position
            """) {
            let t = "information_schema.columns"
            let table = try row.text("table_name", table: t)
            guard !bookkeeping.contains(table) else { continue }
            out[table, default: []].append(Column(name: try row.text("column_name", table: t),
                                                  type: try row.text("data_type", table: t),
                                                  identity: try row.text("is_identity", table: t) == "YES"))
        }
        return out
    }

    /// The first table with a row the copy did not come to write: any row,
    /// but for `meta`'s `format` marker, which the migrations write.
    private static func firstTableWithRows(_ db: PostgresSession, tables: [String]) throws -> String? {
        for table in tables {
            let condition = table == "meta" ? " WHERE name <> 'format'" : ""
            if try !db.query("SELECT 1 AS one FROM \(quoted(table))\(condition) LIMIT 1").isEmpty { return table }
        }
        return nil
    }

    /// Referenced tables before the tables that reference them (foreign
    /// keys), by name otherwise; the audit anchor before the entries it
    /// starts (the head moves from it).
    private static func insertionOrder(_ db: PostgresSession, tables: Set<String>) throws -> [String] {
        var needs: [String: Set<String>] = [:]
        for row in try db.query("""
            SELECT c.relname AS child, p.relname AS parent FROM pg_constraint k
            JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE k.contype = 'f' AND n.nspname = current_schema()
            """) {
            let child = try row.text("child", table: "pg_constraint"), parent = try row.text("parent", table: "pg_constraint")
            if child != parent { needs[child, default: []].insert(parent) }
        }
        needs["audit_event", default: []].insert("audit_anchor")
        var order: [String] = []
        var placed: Set<String> = []
        var left = tables.sorted()
        while !left.isEmpty {
            guard let next = left.first(where: { (needs[$0] ?? []).subtracting(placed).intersection(tables).isEmpty }) else {
                throw StoreImportError.cyclicReferences(left)
            }
            order.append(next)
            placed.insert(next)
            left.removeAll { $0 == next }
        }
        return order
    }

    private static func insert(_ db: PostgresSession, table: String, columns: [Column], rows: [[StoredValue]]) throws {
        let names = columns.map { quoted($0.name) }.joined(separator: ", ")
        let overriding = columns.contains { $0.identity } ? " OVERRIDING SYSTEM VALUE" : ""
        func placeholders(from first: Int) -> String {
            "(" + columns.enumerated().map { "CAST($\(first + $0.offset) AS \($0.element.type))" }.joined(separator: ", ") + ")"
        }
        func binds(_ row: [StoredValue]) throws -> [any SQLBindable] {
            try zip(columns, row).map { try convert($1, to: $0, table: table) }
        }
        if table == "audit_event" || table == "audit_anchor" {
            // One at a time: the insert trigger checks each entry against the
            // head, which moves with it.
            for row in rows {
                try db.execute("INSERT INTO \(quoted(table)) (\(names)) VALUES \(placeholders(from: 1))", try binds(row))
                try moveAuditHead(db, table: table)
            }
            return
        }
        let conflict = table == "meta" ? " ON CONFLICT (name) DO UPDATE SET value = excluded.value" : ""
        // At most ~30 000 parameters per statement (the protocol allows 65 535).
        let perStatement = max(1, 30_000 / max(1, columns.count))
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(rows.count, start + perStatement)]
            var values: [String] = []
            var all: [any SQLBindable] = []
            for row in chunk {
                values.append(placeholders(from: all.count + 1))
                all += try binds(row)
            }
            try db.execute("INSERT INTO \(quoted(table)) (\(names))\(overriding) VALUES \(values.joined(separator: ", "))\(conflict)",
                           all)
            start += chunk.count
        }
    }

    /// After an entry (or the anchor) went in: the head is the newest of them.
    private static func moveAuditHead(_ db: PostgresSession, table: String) throws {
        let source = table == "audit_anchor" ? "SELECT seq, hash FROM audit_anchor WHERE id = 1"
                                             : "SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1"
        try db.execute("UPDATE audit_head SET seq = s.seq, hash = s.hash FROM (\(source)) s WHERE audit_head.id = 1")
    }

    /// Walks the copied chain: the first entry follows the anchor (or starts
    /// at 1 from zeros), each links to the one before, and the head is the
    /// last. Returns the head.
    private static func walkAuditChain(_ db: PostgresSession) throws -> AuditChainPosition? {
        var previous: AuditChainPosition
        if let anchor = try db.query("SELECT seq, hash FROM audit_anchor WHERE id = 1").first {
            previous = AuditChainPosition(seq: try anchor.int("seq", table: "audit_anchor"),
                                          hash: try anchor.bytes("hash", table: "audit_anchor"))
        } else {
            previous = AuditChainPosition(seq: 0, hash: [UInt8](repeating: 0, count: 32))
        }
        var any = false
        while true {
            let rows = try db.query("SELECT seq, prev_hash, hash FROM audit_event WHERE seq > $1 ORDER BY seq LIMIT 10000",
                                    [previous.seq])
            if rows.isEmpty { break }
            for row in rows {
                let seq = try row.int("seq", table: "audit_event")
                guard seq == previous.seq + 1, try row.bytes("prev_hash", table: "audit_event") == previous.hash else {
                    throw StoreImportError.brokenAuditChain(seq: seq)
                }
                previous = AuditChainPosition(seq: seq, hash: try row.bytes("hash", table: "audit_event"))
                any = true
            }
        }
        guard let head = try db.query("SELECT seq, hash FROM audit_head WHERE id = 1").first,
              try head.int("seq", table: "audit_head") == previous.seq,
              try head.bytes("hash", table: "audit_head") == previous.hash else {
            throw StoreImportError.brokenAuditChain(seq: previous.seq)
        }
        return any ? previous : nil
    }

    private static func convert(_ value: StoredValue, to column: Column, table: String) throws -> any SQLBindable {
        func refuse() -> StoreImportError {
            .unconvertibleValue(table: table, column: column.name, type: column.type)
        }
        switch (value, column.type) {
        case (.null, _): return SQLNull()
        case (.integer(let v), "bigint"), (.integer(let v), "integer"), (.integer(let v), "smallint"): return v
        case (.real(let v), "bigint"), (.real(let v), "integer"), (.real(let v), "smallint"):
            guard let exact = Int64(exactly: v) else { throw refuse() }
            return exact
        case (.real(let v), "double precision"), (.real(let v), "real"): return v
        case (.integer(let v), "double precision"), (.integer(let v), "real"): return Double(v)
        case (.integer(let v), "boolean"): return v != 0
        case (.text(let v), "text"), (.text(let v), "character varying"), (.text(let v), "jsonb"), (.text(let v), "json"):
            return v
        case (.bytes(let v), "bytea"): return v
        case (.text(let v), "bytea"): return Array(v.utf8)
        default: throw refuse()
        }
    }

    private static func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}

/// A bound NULL (its type comes from the statement's cast).
private struct SQLNull: SQLBindable {
    var sqlValue: SQLValue { .null }
}
