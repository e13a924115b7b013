#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GRDB
import Synchronization

/// The SQLite database of riegel: one GRDB `DatabasePool` (WAL, one writer)
/// at `<state_directory>/riegel.sqlite`, migrated to the current schema.
///
/// - Important: security state must be durable once a reply says "done":
///   `synchronous = FULL` is set on the writer after opening (a
///   `DatabasePool` resets it during setup), `secure_delete` overwrites
///   deleted content, and a file that fails its integrity check refuses startup
///   (or, if a clean-stop record vouched for it, stops riegeld once the
///   check has run beside requests).
///   A new file is created with mode 0600 (its WAL and shm files follow).
public final class RiegelDatabase: Sendable {
    /// The connection(s) used by the SQLite stores.
    let writer: any DatabaseWriter
    /// The file path, or nil for an in-memory database.
    public let path: String?
    /// The self-check that did not run at open because a ``CleanStopRecord``
    /// vouched for the file; ``runDeferredCheck()`` runs it while serving.
    public let deferredCheck: IntegrityCheck?
    /// Whether the file passed its check in this run (at open, or deferred):
    /// only then may a clean stop vouch for it.
    private let checkPassed: Atomic<Bool>
    /// The busy timeout the file was opened with; the deferred check's own connection uses it too.
    private let busyTimeout: Double

    private init(writer: any DatabaseWriter, path: String?, busyTimeout: Double,
                 deferredCheck: IntegrityCheck? = nil, checkPassed: Bool = false) {
        self.writer = writer
        self.path = path
        self.busyTimeout = busyTimeout
        self.deferredCheck = deferredCheck
        self.checkPassed = Atomic(checkPassed)
    }

    /// Opens (creating if needed) `riegel.sqlite` in `directory` and migrates it.
    ///
    /// The integrity check runs before anything else, unless the file is
    /// exactly as a clean stop left it (``CleanStopRecord``): then it is left
    /// to ``runDeferredCheck()``, so a large file does not hold up the start.
    ///
    /// - Parameters:
    ///   - integrityCheck: the self-check.
    ///   - busyTimeout: seconds a connection waits for a lock held by another process.
    /// - Throws: ``RiegelDatabaseError``.
    public static func open(in directory: StateDirectory, integrityCheck: IntegrityCheck = .quick,
                            busyTimeout: Double = 5) throws -> RiegelDatabase {
        let path = directory.databasePath
        let vouched = CleanStopRecord.take(databasePath: path)
        return try open(path: path, integrityCheck: integrityCheck, busyTimeout: busyTimeout, deferCheck: vouched)
    }

    /// Opens the database file at `path` (tests; production uses ``open(in:integrityCheck:busyTimeout:)``).
    static func open(path: String, integrityCheck: IntegrityCheck = .quick, busyTimeout: Double = 5,
                     migrations: [any StoreMigration.Type] = MigrationRegistry.all,
                     deferCheck: Bool = false) throws -> RiegelDatabase {
        // A new file starts as an empty 0600 file: SQLite gives the WAL and
        // shm files the main file's mode, so none of them is world-readable.
        createPrivateFileIfMissing(path)
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration(busyTimeout: busyTimeout))
        } catch {
            throw openError(path: path, error)
        }
        do {
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
        } catch {
            throw openError(path: path, error)
        }
        if !deferCheck { try check(pool, path: path, integrityCheck) }
        try migrate(pool, path: path, migrations)
        let checked = integrityCheck != .skip
        return RiegelDatabase(writer: pool, path: path, busyTimeout: busyTimeout,
                              deferredCheck: deferCheck && checked ? integrityCheck : nil,
                              checkPassed: checked && !deferCheck)
    }

    /// Runs the ``deferredCheck`` beside requests (the writer is not held) on
    /// a connection of its own, opened read-write and only reading: SQLite
    /// leaves CHECK constraints out of the schema a read-only connection loads,
    /// so on one of the pool's readers `quick_check` would skip every CHECK
    /// the check before `READY=1` verifies (docs/reliability.md). Returns at
    /// once if there is no deferred check.
    /// - Throws: ``RiegelDatabaseError/integrityCheckFailed(path:problems:)``.
    public func runDeferredCheck() async throws {
        guard let pragma = deferredCheck?.pragma, let path else { return }
        let problems: [String]
        do {
            let connection = try DatabaseQueue(path: path, configuration: Self.configuration(busyTimeout: busyTimeout))
            defer { try? connection.close() }
            problems = try await connection.read { db in try String.fetchAll(db, sql: pragma) }
        } catch {
            throw RiegelDatabaseError.integrityCheckFailed(path: path, problems: [String(describing: error)])
        }
        guard problems == ["ok"] else {
            throw RiegelDatabaseError.integrityCheckFailed(path: path, problems: problems)
        }
        checkPassed.store(true, ordering: .releasing)
    }

    /// A private in-memory database with the current schema, for tests.
    public static func inMemory() throws -> RiegelDatabase {
        let queue: DatabaseQueue
        let busyTimeout = 5.0
        do {
            queue = try DatabaseQueue(configuration: configuration(busyTimeout: busyTimeout))
        } catch {
            throw RiegelDatabaseError.cannotOpen(path: ":memory:", detail: String(describing: error))
        }
        try migrate(queue, path: ":memory:", MigrationRegistry.all)
        return RiegelDatabase(writer: queue, path: nil, busyTimeout: busyTimeout)
    }

    /// The names of the migrations applied to this database, oldest first.
    public func appliedMigrations() throws -> [String] {
        try writer.read { db in
            try MigrationRegistry.migrator().appliedMigrations(db)
        }
    }

    /// Runs a read that may also be made inside a ``write(_:)`` of this
    /// database: a store called from the body of another store's atomic
    /// update (`SMSCounterStore.updateBudget`). In memory (one connection) it
    /// reads on that connection; on disk (a pool) from a reader, which sees
    /// everything committed before the write lock was taken.
    func reentrantRead<T>(_ body: (Database) throws -> T) throws -> T {
        try writer.unsafeReentrantRead(body)
    }

    /// Runs `body` in a write transaction that is committed when it returns;
    /// inside a ``SQLiteTransactionRunner`` scope, in a savepoint of the
    /// scope's transaction instead, so the writes of several stores commit
    /// together (one fsync). Every store writes through here.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        try writer.unsafeReentrantWrite { db in
            var result: T?
            if db.isInsideTransaction {
                try db.inSavepoint {
                    result = try body(db)
                    return .commit
                }
            } else {
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
            }
            return result!
        }
    }

    /// Runs `body` in a write transaction on the writer's own queue, without
    /// blocking the calling thread (for long or bulk work beside requests).
    func writeAsync<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await writer.write { db in try body(db) }
    }

    /// Runs `body` in a read transaction (a snapshot) without blocking the calling thread.
    func readAsync<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await writer.read { db in try body(db) }
    }

    /// Copies the WAL into the main file and truncates it to zero bytes, so
    /// that content erased from the database is not left in the log; retries
    /// while readers hold old snapshots. Returns whether the log was emptied.
    func truncateLog(attempts: Int = 20) async -> Bool {
        guard writer is DatabasePool else { return true }
        for attempt in 0..<attempts {
            if attempt > 0 { try? await Task.sleep(for: .milliseconds(50)) }
            let done = (try? await writer.writeWithoutTransaction { db -> Bool in
                let (busy, log, copied) = try Self.checkpointTruncate(db)
                return busy == 0 && log == 0 && copied == 0
            }) ?? false
            if done { return true }
        }
        return false
    }

    /// `PRAGMA wal_checkpoint(TRUNCATE)`: (busy, frames in the log, frames copied).
    private static func checkpointTruncate(_ db: Database) throws -> (Int, Int, Int) {
        guard let row = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)") else { return (1, -1, -1) }
        return (row[0], row[1], row[2])
    }

    /// Checkpoints the WAL into the main file and closes every connection.
    /// Using the database afterwards is an error.
    ///
    /// - Parameter recordingCleanStop: also leave a ``CleanStopRecord``
    ///   (only after a clean stop), so the next start may check the file
    ///   after serving instead of before. Left out if this run's check did
    ///   not pass (a deferred check still running, or `.skip`).
    public func close(recordingCleanStop: Bool = false) throws {
        if let pool = writer as? DatabasePool {
            _ = try pool.writeWithoutTransaction { try $0.checkpoint(.truncate) }
            try pool.close()
            if recordingCleanStop, checkPassed.load(ordering: .acquiring), let path {
                try CleanStopRecord.write(databasePath: path)
            }
        } else if let queue = writer as? DatabaseQueue {
            try queue.close()
        }
    }

    private static func configuration(busyTimeout: Double) -> Configuration {
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(busyTimeout)
        config.label = "riegel"
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        return config
    }

    private static func check(_ writer: any DatabaseWriter, path: String, _ integrityCheck: IntegrityCheck) throws {
        guard let pragma = integrityCheck.pragma else { return }
        let problems: [String]
        do {
            problems = try writer.writeWithoutTransaction { db in
                try String.fetchAll(db, sql: pragma)
            }
        } catch {
            throw RiegelDatabaseError.integrityCheckFailed(path: path, problems: [String(describing: error)])
        }
        guard problems == ["ok"] else {
            throw RiegelDatabaseError.integrityCheckFailed(path: path, problems: problems)
        }
    }

    private static func migrate(_ writer: any DatabaseWriter, path: String,
                                _ migrations: [any StoreMigration.Type]) throws {
        let migrator = MigrationRegistry.migrator(migrations)
        let known = Set(migrations.map { $0.identifier })
        let applied: Set<String>
        do {
            applied = try writer.read { db in try migrator.appliedIdentifiers(db) }
        } catch {
            throw RiegelDatabaseError.cannotOpen(path: path, detail: String(describing: error))
        }
        let unknown = applied.subtracting(known)
        guard unknown.isEmpty else {
            throw RiegelDatabaseError.newerSchema(path: path, unknownMigrations: unknown.sorted())
        }
        do {
            try migrator.migrate(writer)
        } catch let error as DatabaseError where error.isStorageUnavailable {
            throw openError(path: path, error)
        } catch {
            throw RiegelDatabaseError.migrationFailed(path: path, detail: String(describing: error))
        }
    }

    /// Why opening failed: a read-only or full file system says so (the file
    /// is fine, a restore would be wrong advice); anything else cannot open.
    private static func openError(path: String, _ error: any Error) -> RiegelDatabaseError {
        switch (error as? DatabaseError)?.resultCode {
        case .SQLITE_READONLY?: return .readOnly(path: path)
        case .SQLITE_FULL?: return .diskFull(path: path)
        default: return .cannotOpen(path: path, detail: String(describing: error))
        }
    }
}

/// Creates an empty file with mode 0600 unless something exists at `path`.
private func createPrivateFileIfMissing(_ path: String) {
    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
    if fd >= 0 {
        _ = fchmod(fd, 0o600)
        _ = close(fd)
    }
}
