import GRDB
import RiegelCore

/// SQLite's answers that mean the storage is out of service rather than the
/// request or the data being wrong: `SQLITE_FULL` (disk full), `SQLITE_READONLY`
/// (a read-only file or file system), `SQLITE_IOERR` (the file system failed)
/// and `SQLITE_CANTOPEN` (the WAL or shm file cannot be opened or made). The
/// transaction was rolled back; callers get `StorageUnavailable`.
extension DatabaseError: StorageFailure {
    /// Whether this is one of the answers above (by the primary result code).
    public var isStorageUnavailable: Bool {
        switch resultCode {
        case .SQLITE_FULL, .SQLITE_READONLY, .SQLITE_IOERR, .SQLITE_CANTOPEN: return true
        default: return false
        }
    }
}
