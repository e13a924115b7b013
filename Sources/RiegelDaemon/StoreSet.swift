import Foundation
import Logging
import RiegelCore
import RiegelPostgres
import RiegelStore

/// Every store riegeld uses, on the back end chosen by `[storage] backend`:
/// the one place that picks SQLite or PostgreSQL adapters. The use cases see
/// only the ports.
struct StoreSet: Sendable {
    /// The three audit ports in one value.
    typealias AuditStore = AuditLog & AuditReader & AuditMaintenance

    let accounts: any AccountStore
    let directory: any AccountDirectory
    let sessions: any SessionStore
    let devices: any DeviceStore
    let nonces: any DeviceNonceStore
    let throttles: any ThrottleStore
    let resetTokens: any ResetTokenStore
    let activationCodes: any ActivationCodeStore
    let factors: any FactorStore
    let smsChallenges: any SMSChallengeStore
    let smsCounters: any SMSCounterStore
    let keys: any WrappedKeyStore
    let keyRewrap: any KeyRewrapStore
    let transactions: any TransactionRunner
    let backup: any DatabaseBackup
    /// The audit trail, chained by `hasher` and sealed by `sealer` every `interval` entries.
    let auditLog: @Sendable (_ clock: any WallClock, _ hasher: any AuditHasher, _ sealer: any CheckpointSealer,
                             _ interval: Int) -> any AuditStore
    /// Entries between two scheduled audit checkpoints.
    let checkpointInterval: Int
    /// Whether other riegeld instances may write the same database (the
    /// session table is then a cache kept current by ``sessionChanges``:
    /// `SessionService.sharedStore`).
    let shared: Bool
    /// On a shared database: the feed of other instances' session changes,
    /// read at least every `pollInterval`.
    let sessionChanges: (@Sendable (_ clock: any WallClock, _ pollInterval: Duration, _ logger: Logger) -> any SessionChangeFeed)?
    /// What `Status` shows for the database check.
    let detail: String
    /// What `Status` shows for the integrity check at start (`database_check`).
    let checkDetail: String
    /// The integrity check left until after `READY=1` (SQLite after a clean
    /// stop, ``RiegelDatabase/deferredCheck``); nil if there is none.
    let deferredCheck: (@Sendable () async throws -> Void)?
    /// Closes the database at stop; `true` after a clean stop (SQLite then
    /// leaves its clean-stop record).
    let close: @Sendable (_ cleanStop: Bool) throws -> Void

    /// The SQLite stores on `<state_directory>/riegel.sqlite`.
    static func sqlite(_ database: RiegelDatabase, directory: StateDirectory, random: any RandomSource) throws -> StoreSet {
        var deferredCheck: (@Sendable () async throws -> Void)?
        if database.deferredCheck != nil { deferredCheck = { try await database.runDeferredCheck() } }
        let checkDetail = deferredCheck == nil ? "ok before start" : "running after start (clean stop before)"
        let close: @Sendable (Bool) throws -> Void = { try database.close(recordingCleanStop: $0) }
        return StoreSet(
            accounts: SQLiteAccountStore(database: database), directory: SQLiteAccountDirectory(database: database),
            sessions: SQLiteSessionStore(database: database), devices: SQLiteDeviceStore(database: database),
            nonces: SQLiteDeviceNonceStore(database: database), throttles: SQLiteThrottleStore(database: database),
            resetTokens: SQLiteResetTokenStore(database: database),
            activationCodes: SQLiteActivationCodeStore(database: database),
            factors: SQLiteFactorStore(database: database), smsChallenges: SQLiteSMSChallengeStore(database: database),
            smsCounters: SQLiteSMSCounterStore(database: database), keys: SQLiteKeyStore(database: database),
            keyRewrap: SQLiteKeyRewrapStore(database: database),
            transactions: SQLiteTransactionRunner(database: database),
            backup: SQLiteDatabaseBackup(database: database, directory: directory, random: random),
            auditLog: { SQLiteAuditLog(database: database, clock: $0, hasher: $1, sealer: $2, checkpointInterval: $3) },
            checkpointInterval: SQLiteAuditLog.defaultCheckpointInterval, shared: false, sessionChanges: nil,
            detail: "sqlite \(directory.databasePath), \(try database.appliedMigrations().count) migrations",
            checkDetail: checkDetail, deferredCheck: deferredCheck, close: close)
    }

    /// The PostgreSQL stores on `database` (shared with other riegeld instances).
    static func postgresql(_ database: PostgresDatabase) throws -> StoreSet {
        let close: @Sendable (Bool) throws -> Void = { _ in database.close() }
        return StoreSet(
            accounts: PostgresAccountStore(database: database), directory: PostgresAccountDirectory(database: database),
            sessions: PostgresSessionStore(database: database), devices: PostgresDeviceStore(database: database),
            nonces: PostgresDeviceNonceStore(database: database), throttles: PostgresThrottleStore(database: database),
            resetTokens: PostgresResetTokenStore(database: database),
            activationCodes: PostgresActivationCodeStore(database: database),
            factors: PostgresFactorStore(database: database), smsChallenges: PostgresSMSChallengeStore(database: database),
            smsCounters: PostgresSMSCounterStore(database: database), keys: PostgresKeyStore(database: database),
            keyRewrap: PostgresKeyRewrapStore(database: database),
            transactions: PostgresTransactionRunner(database: database),
            backup: PostgresDatabaseBackup(),
            auditLog: { PostgresAuditLog(database: database, clock: $0, hasher: $1, sealer: $2, checkpointInterval: $3) },
            checkpointInterval: PostgresAuditLog.defaultCheckpointInterval, shared: true,
            sessionChanges: { PostgresSessionChangeFeed(database: database, clock: $0, pollInterval: $1, logger: $2) },
            detail: "postgresql \(database.settings), \(try database.appliedMigrations().count) migrations",
            checkDetail: "not run on PostgreSQL (the server's own page checksums and backups)", deferredCheck: nil, close: close)
    }
}
