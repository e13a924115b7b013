/// One forward-only step of the PostgreSQL schema: applied once, in order,
/// inside the migrating transaction; never edited after a release.
struct PostgresMigration: Sendable {
    /// The name recorded in `riegel_migrations`.
    let name: String
    /// The statements, run as one simple-protocol batch.
    let sql: String
}
// Every text column is `COLLATE "C"`: ids and keys compare and sort by
// bytes, as in SQLite, whatever the database's default collation is.
