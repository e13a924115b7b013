import Foundation

/// Applies ``PostgresMigrations/all`` to a database: in one transaction
/// under an advisory lock, so two riegeld instances starting together
/// migrate once; a database with a migration this build does not know is
/// refused (``PostgresStoreError/newerSchema(unknownMigrations:)``).
enum PostgresMigrator {
    /// The advisory lock key of migrations ("riegel" in ASCII).
    static let lockKey: Int64 = 0x72_69_65_67_65_6C

    static func migrate(_ database: PostgresDatabase,
                        migrations: [PostgresMigration] = PostgresMigrations.all) throws {
        try database.transaction { session in
            try session.execute("SELECT pg_advisory_xact_lock($1)", [lockKey])
            try session.execute("""
                CREATE TABLE IF NOT EXISTS riegel_migrations (
                    name          text PRIMARY KEY,
                    applied_order bigint GENERATED ALWAYS AS IDENTITY,
                    applied_at    double precision NOT NULL
                )
                """)
            let applied = Set(try session.query("SELECT name FROM riegel_migrations")
                .map { try $0.text("name", table: "riegel_migrations") })
            let unknown = applied.subtracting(migrations.map(\.name))
            guard unknown.isEmpty else { throw PostgresStoreError.newerSchema(unknownMigrations: unknown.sorted()) }
            for migration in migrations where !applied.contains(migration.name) {
                for statement in Self.statements(migration.sql) {
                    try session.execute(statement)
                }
                try session.execute("""
                    INSERT INTO riegel_migrations (name, applied_at) VALUES ($1, extract(epoch FROM clock_timestamp()))
                    """, [migration.name])
            }
        }
    }

    /// The statements of a migration, split at `;` line ends (the extended
    /// protocol takes one statement at a time). Function bodies are quoted
    /// with `$$` and keep their inner semicolons.
    static func statements(_ sql: String) -> [String] {
        var result: [String] = []
        var current = ""
        var inDollarQuote = false
        for line in sql.split(separator: "\n", omittingEmptySubsequences: false) {
            current += line + "\n"
            if line.components(separatedBy: "$$").count % 2 == 0 { inDollarQuote.toggle() }
            if !inDollarQuote, line.trimmingCharacters(in: .whitespaces).hasSuffix(";") {
                result.append(current)
                current = ""
            }
        }
        if !current.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { result.append(current) }
        return result
    }
}
