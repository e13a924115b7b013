import RiegelCore

/// `io.riegel.Admin.Backup` on PostgreSQL: not available. An online copy of
/// a PostgreSQL database is the server's business (`pg_dump`, base backups
/// and WAL archiving); every call throws
/// ``PostgresStoreError/notYetAvailable(feature:)`` and writes nothing.
public struct PostgresDatabaseBackup: DatabaseBackup {
    /// The refusing backup.
    public init() {}

    public func copy(pieceSize: Int, emit: ([UInt8]) async throws -> Void) async throws -> DatabaseCopy {
        throw PostgresStoreError.notYetAvailable(
            feature: "Backup on the PostgreSQL back end (back up the server with pg_dump or a base backup instead)")
    }
}
