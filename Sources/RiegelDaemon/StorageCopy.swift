import Foundation
import RiegelCore
import RiegelPostgres
import RiegelStore

/// `riegelctl storage copy`: moves a SQLite store into the empty PostgreSQL
/// database a riegel config names, so that riegeld then starts on
/// PostgreSQL with every account, session, device, factor, key and the
/// audit trail as they were.
///
/// The SQLite file is read on one snapshot (stop riegeld first: what it
/// writes after the snapshot is not copied) and migrated to this build's
/// schema first, as riegeld would at start; the copy is one PostgreSQL
/// transaction, checked (row counts, the audit chain's links) before it
/// commits.
public enum StorageCopy {
    /// Copies the store at `sqlitePath` (a state directory, or its
    /// `riegel.sqlite`) into the PostgreSQL database of the config at
    /// `configPath` (`[storage] backend = "postgresql"`), reporting rows
    /// per table as they go in.
    /// - Throws: a message-bearing error (``StoreImportError``, config,
    ///   state directory, connection) when nothing was copied.
    public static func run(sqlitePath: String, configPath: String, environment: [String: String],
                           progress: (String, Int) -> Void) throws -> StoreImportReport {
        let config = try RiegelConfig.load(path: configPath)
        guard config.storage.backend == .postgresql else {
            throw StartupError(message: "\(configPath): [storage] backend must be \"postgresql\" to copy into it")
        }
        let directoryPath = sqlitePath.hasSuffix("/riegel.sqlite")
            ? String(sqlitePath.dropLast("/riegel.sqlite".count)) : sqlitePath
        var info = stat()
        guard stat(directoryPath, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR,
              FileManager.default.fileExists(atPath: directoryPath + "/riegel.sqlite") else {
            throw StartupError(message: "\(sqlitePath): no riegel.sqlite there (give riegel's state directory or the file)")
        }
        // The directory stays its owner's (riegeld's user), whoever runs the copy.
        let directory = try StateDirectory.prepare(at: directoryPath, owner: UInt32(info.st_uid))
        let sqlite = try RiegelDatabase.open(in: directory)
        defer { try? sqlite.close() }
        let postgres = try PostgresDatabase.open(try config.storage.postgresSettings(environment: environment))
        defer { postgres.close() }
        return try PostgresStoreImport(database: postgres).copy(from: SQLiteCopySource(database: sqlite),
                                                                progress: progress)
    }
}
