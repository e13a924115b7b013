/// Which SQLite self-check runs when the database opens.
public enum IntegrityCheck: Sendable, Hashable {
    /// `PRAGMA quick_check`: the structure, without cross-checking indexes (default).
    case quick
    /// `PRAGMA integrity_check`: everything; slower on large files.
    case full
    /// No check (only for tests that must open a file they broke on purpose).
    case skip

    var pragma: String? {
        switch self {
        case .quick: return "PRAGMA quick_check"
        case .full: return "PRAGMA integrity_check"
        case .skip: return nil
        }
    }
}
