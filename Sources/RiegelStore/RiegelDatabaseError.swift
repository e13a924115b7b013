/// Why the database refused to open. Each message says what to do.
public enum RiegelDatabaseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// SQLite could not open or read the file.
    case cannotOpen(path: String, detail: String)
    /// The file, its WAL or shm, or their file system cannot be written
    /// (mode, owner, `chattr +i`, a read-only mount).
    case readOnly(path: String)
    /// No space is left on the file system of the state directory.
    case diskFull(path: String)
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
        case .readOnly(let path):
            return "database \(path) cannot be written: the file, its -wal or -shm file, or its file system is read-only (check owner and mode for riegel's user, lsattr for the immutable flag, and mount options); riegeld needs to write it and has not changed it"
        case .diskFull(let path):
            return "database \(path) cannot be written: no space is left on its file system; free some (df \(path)) and start riegeld again, nothing was changed"
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
