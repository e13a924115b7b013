/// Why the database refused to open. Each message says what to do.
public enum RiegelDatabaseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// SQLite could not open or read the file.
    case cannotOpen(path: String, detail: String)
    /// `PRAGMA quick_check`/`integrity_check` reported problems.
    case integrityCheckFailed(path: String, problems: [String])
    /// The file has migrations this version does not know (written by a newer riegel).
    case newerSchema(path: String, unknownMigrations: [String])
    /// A migration failed; nothing of it was applied.
    case migrationFailed(path: String, detail: String)

    /// A message that says what went wrong and how to fix it.
    public var description: String {
        switch self {
        case .cannotOpen(let path, let detail):
            return "cannot open database \(path): \(detail); check that it is an SQLite file owned by riegel's user, or restore it from a backup"
        case .integrityCheckFailed(let path, let problems):
            let shown = problems.prefix(5).joined(separator: "; ")
            return "database \(path) failed its integrity check (\(shown)); riegel refuses to start on a damaged file: restore it from a backup (stop riegel, copy the backup over \(path), remove \(path)-wal and \(path)-shm)"
        case .newerSchema(let path, let unknown):
            return "database \(path) was migrated by a newer riegel (unknown migrations: \(unknown.joined(separator: ", "))); run that version or restore a backup made before the upgrade"
        case .migrationFailed(let path, let detail):
            return "schema migration of \(path) failed and was rolled back: \(detail); report this as a bug, the file is unchanged"
        }
    }
}
