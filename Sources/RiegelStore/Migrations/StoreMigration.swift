import GRDB

/// One forward-only schema step. Add a new file per migration and append it
/// to ``MigrationRegistry/all``; never edit or reorder a shipped migration.
protocol StoreMigration: Sendable {
    /// The stored name, `v<N>-<what>` (e.g. `v1-keys`); never changes once shipped.
    static var identifier: String { get }
    /// Applies the step inside the migrator's transaction.
    static func migrate(_ db: Database) throws
}
