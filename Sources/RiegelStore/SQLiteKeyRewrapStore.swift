import Foundation
import GRDB
import RiegelCore
import Synchronization

/// The ``KeyRewrapStore`` on SQLite: counts key references across the
/// tables, reads and rewrites the long-lived values of a purpose in short
/// batches, keeps the jobs in `key_rewrap` (migration `v10-key-rewrap`), and
/// retires keys in `key`.
///
/// - Important: batches and counts run on GRDB's queues (async), never on
///   the caller's thread; each batch is one short write transaction, so
///   requests keep their latency during a re-wrap.
public final class SQLiteKeyRewrapStore: KeyRewrapStore {
    private let database: RiegelDatabase
    private let running = Mutex<Set<KeyPurpose>>([])

    /// A store on `database`.
    public init(database: RiegelDatabase) {
        self.database = database
    }

    /// Every (table, row, key) reference; `UNION` makes a row count once per key.
    /// Unused recovery codes count (a key under them cannot be retired until
    /// the set is replaced). Short-lived rows count while live at `:now`: an
    /// SMS challenge while pending (a verified or failed one is never opened again).
    private static let references = """
        SELECT 'user' AS t, rowid AS r, password_key_id AS k FROM user
        UNION SELECT 'user', rowid, email_key_id FROM user WHERE email_key_id IS NOT NULL
        UNION SELECT 'user', rowid, email_index_key_id FROM user WHERE email_index_key_id IS NOT NULL
        UNION SELECT 'user', rowid, phone_key_id FROM user WHERE phone_key_id IS NOT NULL
        UNION SELECT 'user', rowid, phone_index_key_id FROM user WHERE phone_index_key_id IS NOT NULL
        UNION SELECT 'audit_checkpoint', seq, key_id FROM audit_checkpoint
        UNION SELECT 'audit_anchor', id, key_id FROM audit_anchor
        UNION SELECT 'activation_code', rowid, key_id FROM activation_code
            WHERE redeemed_at IS NULL AND expires_at > :now
        UNION SELECT 'sms_challenge', rowid, reset_key_id FROM sms_challenge
            WHERE reset_key_id IS NOT NULL AND state = 'pending' AND expires_at > :now
        UNION SELECT 'sms_challenge', rowid, json_extract(challenge, '$.sealed_phone.key_id') FROM sms_challenge
            WHERE state = 'pending' AND expires_at > :now
        UNION SELECT 'sms_challenge', rowid, json_extract(challenge, '$.code_digest.key_id') FROM sms_challenge
            WHERE state = 'pending' AND expires_at > :now
        UNION SELECT 'sms_outbox', rowid, payload_key_id FROM sms_outbox WHERE payload_key_id IS NOT NULL
        UNION SELECT 'factor', rowid, secret_key_id FROM factor WHERE secret_key_id IS NOT NULL
        UNION SELECT 'recovery_code', rowid, key_id FROM recovery_code WHERE used_at IS NULL
        UNION SELECT 'factor_challenge', rowid, reset_key_id FROM factor_challenge
            WHERE reset_key_id IS NOT NULL AND state = 'pending' AND expires_at > :now
        """

    public func usage(now: Instant) async throws -> [KeyID: Int] {
        try await database.readAsync { db in
            try Self.usage(db, now: now)
        }
    }

    private static func usage(_ db: Database, now: Instant, only id: KeyID? = nil) throws -> [KeyID: Int] {
        let filter = id == nil ? "" : "WHERE k = :id"
        let rows = try Row.fetchAll(db, sql: "SELECT k, count(*) AS n FROM (\(references)) \(filter) GROUP BY k",
                                    arguments: ["now": now.secondsSinceEpoch, "id": Int64(id?.rawValue ?? 0)])
        var out: [KeyID: Int] = [:]
        for row in rows {
            guard let raw = row["k"] as Int64?, let value = UInt32(exactly: raw) else { continue }
            out[KeyID(rawValue: value)] = row["n"]
        }
        return out
    }

    public func staleCount(_ purpose: KeyPurpose, current: KeyID) async throws -> Int {
        let id = Int64(current.rawValue)
        return try await database.readAsync { db in
            try Self.staleQueries(purpose).reduce(0) { sum, query in
                sum + (try Int.fetchOne(db, sql: "SELECT count(*) FROM \(query.table) WHERE \(query.condition)",
                                        arguments: [id]) ?? 0)
            }
        }
    }

    public func staleSecrets(_ purpose: KeyPurpose, current: KeyID, limit: Int) async throws -> [StaleSecret] {
        let id = Int64(current.rawValue)
        return try await database.readAsync { db in
            var out: [StaleSecret] = []
            for query in Self.staleQueries(purpose) where out.count < limit {
                let rows = try Row.fetchAll(db, sql: """
                    SELECT \(query.columns) FROM \(query.table) WHERE \(query.condition) LIMIT ?
                    """, arguments: [id, limit - out.count])
                out += try rows.map { try query.read($0) }
            }
            return out
        }
    }

    /// One kind of long-lived value: where it is and how to read a row of it.
    private struct StaleQuery: Sendable {
        var table: String
        var columns: String
        /// With one argument, the current key id.
        var condition: String
        var read: @Sendable (Row) throws -> StaleSecret
    }

    private static func staleQueries(_ purpose: KeyPurpose) -> [StaleQuery] {
        switch purpose {
        case .password:
            return [StaleQuery(table: "user", columns: "id, password_hash, password_key_id",
                               condition: "password_key_id < ?") { row in
                let user: String = row["id"]
                return .passwordHash(UserID(rawValue: user),
                                     try sealed(row, "password_hash", "password_key_id", user: user))
            }]
        case .pii:
            return [
                // The index is written with its ciphertext, always under the
                // same key: the indexed column finds both.
                StaleQuery(table: "user", columns: "id, email, email_key_id", condition: "email_key_id < ?") { row in
                    let user: String = row["id"]
                    return .email(UserID(rawValue: user), try sealed(row, "email", "email_key_id", user: user))
                },
                StaleQuery(table: "user", columns: "id, phone, phone_key_id", condition: "phone_key_id < ?") { row in
                    let user: String = row["id"]
                    return .phone(UserID(rawValue: user), try sealed(row, "phone", "phone_key_id", user: user))
                },
            ]
        case .audit:
            // Also the HMAC checkpoints written before signatures: re-signed
            // under the active key, so the public key verifies the whole trail.
            return [
                StaleQuery(table: "audit_checkpoint", columns: SQLiteAuditLog.checkpointColumns,
                           condition: "(key_id < ? OR scheme = 'hmac-sha256')") { row in
                    .checkpoint(try SQLiteAuditLog.checkpoint(from: row))
                },
                StaleQuery(table: "audit_anchor", columns: SQLiteAuditLog.checkpointColumns,
                           condition: "(key_id < ? OR scheme = 'hmac-sha256')") { row in
                    .anchor(try SQLiteAuditLog.checkpoint(from: row, table: "audit_anchor"))
                },
            ]
        case .otp:
            // Codes, challenges and queued messages are short-lived: they
            // finish under the key they were made with. Recovery codes are
            // digests (the codes are not kept): they stay under their key,
            // which stays in use until the set is replaced. An app's secret
            // is re-sealed.
            return [StaleQuery(table: "factor", columns: "id, secret, secret_key_id",
                               condition: "secret IS NOT NULL AND secret_key_id < ?") { row in
                let id: String = row["id"]
                return .totpSecret(FactorID(rawValue: id),
                                   SealedSecret(bytes: StoreColumns.bytes(row["secret"]),
                                                keyID: try StoreColumns.keyID(row["secret_key_id"], table: "factor",
                                                                              column: "secret_key_id", row: id)))
            }]
        }
    }

    private static func sealed(_ row: Row, _ column: String, _ keyColumn: String, user: String) throws -> SealedSecret {
        SealedSecret(bytes: StoreColumns.bytes(row[column]),
                     keyID: try StoreColumns.keyID(row[keyColumn], table: "user", column: keyColumn, row: user))
    }

    public func replace(_ replacements: [RewrappedSecret], progress: KeyRewrap) async throws -> KeyRewrap {
        try await database.writeAsync { db in
            var saved = progress
            for replacement in replacements where try Self.write(replacement, db) {
                saved.processed += 1
            }
            try Self.save(saved, db)
            return saved
        }
    }

    /// Writes one replacement if the stored value is still the stale one.
    private static func write(_ r: RewrappedSecret, _ db: Database) throws -> Bool {
        func blob(_ bytes: [UInt8]?) -> Data? { bytes.map { Data($0) } }
        func key(_ id: KeyID?) -> Int64? { id.map { Int64($0.rawValue) } }
        switch r.stale {
        case .passwordHash(let user, let old):
            try db.execute(sql: """
                UPDATE user SET password_hash = ?, password_key_id = ? WHERE id = ? AND password_hash = ?
                """, arguments: [blob(r.sealed?.bytes), key(r.sealed?.keyID), user.rawValue, Data(old.bytes)])
        case .email(let user, let old):
            try db.execute(sql: """
                UPDATE user SET email = ?, email_key_id = ?, email_index = ?, email_index_key_id = ?
                WHERE id = ? AND email = ?
                """, arguments: [blob(r.sealed?.bytes), key(r.sealed?.keyID), blob(r.digest?.bytes), key(r.digest?.keyID),
                                 user.rawValue, Data(old.bytes)])
        case .phone(let user, let old):
            try db.execute(sql: """
                UPDATE user SET phone = ?, phone_key_id = ?, phone_index = ?, phone_index_key_id = ?
                WHERE id = ? AND phone = ?
                """, arguments: [blob(r.sealed?.bytes), key(r.sealed?.keyID), blob(r.digest?.bytes), key(r.digest?.keyID),
                                 user.rawValue, Data(old.bytes)])
        case .totpSecret(let id, let old):
            try db.execute(sql: """
                UPDATE factor SET secret = ?, secret_key_id = ? WHERE id = ? AND secret = ?
                """, arguments: [blob(r.sealed?.bytes), key(r.sealed?.keyID), id.rawValue, Data(old.bytes)])
        case .checkpoint(let old), .anchor(let old):
            guard let seal = r.seal else { return false }
            let table = if case .anchor = r.stale { "audit_anchor" } else { "audit_checkpoint" }
            try db.execute(sql: """
                UPDATE \(table) SET seal = ?, scheme = ?, key_id = ? WHERE seq = ? AND seal = ? AND hash = ?
                """, arguments: [Data(seal.bytes), SQLiteAuditLog.scheme(seal), key(seal.keyID), old.seq,
                                 Data(old.seal.bytes), Data(old.hash)])
        }
        return db.changesCount > 0
    }

    public func rewraps() async throws -> [KeyRewrap] {
        try await database.readAsync { db in
            try Row.fetchAll(db, sql: """
                SELECT purpose, key_id, state, processed, total, started_at, updated_at, problem
                FROM key_rewrap ORDER BY purpose
                """).map(Self.rewrap(from:))
        }
    }

    public func save(_ rewrap: KeyRewrap) async throws {
        try await database.writeAsync { db in try Self.save(rewrap, db) }
    }

    private static func save(_ r: KeyRewrap, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO key_rewrap (purpose, key_id, state, processed, total, started_at, updated_at, problem)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (purpose) DO UPDATE SET key_id = excluded.key_id, state = excluded.state,
                processed = excluded.processed, total = excluded.total, started_at = excluded.started_at,
                updated_at = excluded.updated_at, problem = excluded.problem
            """, arguments: [r.purpose.rawValue, Int64(r.keyID.rawValue), r.state.rawValue, r.processed, r.total,
                             r.startedAt.secondsSinceEpoch, r.updatedAt.secondsSinceEpoch, r.problem])
    }

    private static func rewrap(from row: Row) throws -> KeyRewrap {
        let purposeText: String = row["purpose"]
        guard let purpose = KeyPurpose(rawValue: purposeText) else {
            throw RiegelStoreError.corruptRecord(table: "key_rewrap", detail: "unknown purpose '\(purposeText)'")
        }
        let stateText: String = row["state"]
        guard let state = KeyRewrapState(rawValue: stateText) else {
            throw RiegelStoreError.corruptRecord(table: "key_rewrap", detail: "\(purposeText) has unknown state '\(stateText)'")
        }
        return KeyRewrap(purpose: purpose,
                         keyID: try StoreColumns.keyID(row["key_id"], table: "key_rewrap", column: "key_id", row: purposeText),
                         state: state, processed: row["processed"], total: row["total"],
                         startedAt: Instant(secondsSinceEpoch: row["started_at"]),
                         updatedAt: Instant(secondsSinceEpoch: row["updated_at"]), problem: row["problem"])
    }

    /// One process owns the file: a purpose's job runs in one task at a time.
    public func exclusively(_ purpose: KeyPurpose, _ body: @Sendable () async throws -> Void) async throws -> Bool {
        guard running.withLock({ $0.insert(purpose).inserted }) else { return false }
        defer { running.withLock { _ = $0.remove(purpose) } }
        try await body()
        return true
    }

    public func retire(_ id: KeyID, now: Instant) async throws -> Bool {
        try await database.writeAsync { db in
            let raw = Int64(id.rawValue)
            guard let state = try String.fetchOne(db, sql: "SELECT state FROM key WHERE id = ?", arguments: [raw]) else {
                throw KeyRewrapStoreError.unknownKey(id)
            }
            if state == KeyState.active.rawValue { throw KeyRewrapStoreError.active(id) }
            if let count = try Self.usage(db, now: now, only: id)[id], count > 0 {
                throw KeyRewrapStoreError.inUse(id, count: count)
            }
            // secure_delete (set on every connection) zeroes the old cell.
            try db.execute(sql: "UPDATE key SET state = 'retired', wrapped = X'' WHERE id = ?", arguments: [raw])
        }
        // The log still holds pages with the old material until it is truncated.
        return await database.truncateLog()
    }
}
