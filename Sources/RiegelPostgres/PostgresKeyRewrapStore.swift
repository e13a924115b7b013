import Logging
import PostgresNIO
import RiegelCore

/// The ``KeyRewrapStore`` on PostgreSQL: counts key references across the
/// tables, reads and rewrites the long-lived values of a purpose in short
/// batches, keeps the jobs in `key_rewrap` (of `pg-4-keys`), and retires
/// keys in `key`. The same queries as SQLite's store, in PostgreSQL's SQL.
///
/// - Important: a retired key's row keeps no material (`wrapped` is emptied
///   and the table vacuumed), but PostgreSQL does not promise to overwrite
///   freed space, and its write-ahead log, WAL archive, replicas and base
///   backups keep the old row until they are recycled: ``retire(_:now:)``
///   therefore answers `false` ("not erased from the logs"). The material is
///   a data key wrapped under the master key, useless without it.
public final class PostgresKeyRewrapStore: KeyRewrapStore {
    private let database: PostgresDatabase

    /// A store on `database`.
    public init(database: PostgresDatabase) {
        self.database = database
    }

    /// Every (table, row, key) reference; `UNION` makes a row count once per
    /// key (`ctid` names a row within the one snapshot of the query).
    /// Unused recovery codes count; short-lived rows count while live at `$1`
    /// (an SMS or factor challenge while pending).
    private static let references = """
        SELECT 'user' AS t, ctid::text AS r, password_key_id AS k FROM "user"
        UNION SELECT 'user', ctid::text, email_key_id FROM "user" WHERE email_key_id IS NOT NULL
        UNION SELECT 'user', ctid::text, email_index_key_id FROM "user" WHERE email_index_key_id IS NOT NULL
        UNION SELECT 'user', ctid::text, phone_key_id FROM "user" WHERE phone_key_id IS NOT NULL
        UNION SELECT 'user', ctid::text, phone_index_key_id FROM "user" WHERE phone_index_key_id IS NOT NULL
        UNION SELECT 'audit_checkpoint', ctid::text, key_id FROM audit_checkpoint
        UNION SELECT 'audit_anchor', ctid::text, key_id FROM audit_anchor
        UNION SELECT 'activation_code', ctid::text, key_id FROM activation_code
            WHERE redeemed_at IS NULL AND expires_at > $1
        UNION SELECT 'sms_challenge', ctid::text, reset_key_id FROM sms_challenge
            WHERE reset_key_id IS NOT NULL AND state = 'pending' AND expires_at > $1
        UNION SELECT 'sms_challenge', ctid::text, (challenge::jsonb #>> '{sealed_phone,key_id}')::bigint FROM sms_challenge
            WHERE state = 'pending' AND expires_at > $1
        UNION SELECT 'sms_challenge', ctid::text, (challenge::jsonb #>> '{code_digest,key_id}')::bigint FROM sms_challenge
            WHERE state = 'pending' AND expires_at > $1
        UNION SELECT 'sms_outbox', ctid::text, payload_key_id FROM sms_outbox WHERE payload_key_id IS NOT NULL
        UNION SELECT 'factor', ctid::text, secret_key_id FROM factor WHERE secret_key_id IS NOT NULL
        UNION SELECT 'recovery_code', ctid::text, key_id FROM recovery_code WHERE used_at IS NULL
        UNION SELECT 'factor_challenge', ctid::text, reset_key_id FROM factor_challenge
            WHERE reset_key_id IS NOT NULL AND state = 'pending' AND expires_at > $1
        """

    public func usage(now: Instant) async throws -> [KeyID: Int] {
        try await database.offThread { db in try Self.usage(db, now: now) }
    }

    private static func usage(_ db: PostgresSession, now: Instant, only id: KeyID? = nil) throws -> [KeyID: Int] {
        let rows = if let id {
            try db.query("SELECT k, count(*) AS n FROM (\(references)) refs WHERE k = $2 GROUP BY k", [now, id])
        } else {
            try db.query("SELECT k, count(*) AS n FROM (\(references)) refs WHERE k IS NOT NULL GROUP BY k", [now])
        }
        var out: [KeyID: Int] = [:]
        for row in rows {
            guard let value = UInt32(exactly: try row.int("k", table: "key references")) else { continue }
            out[KeyID(rawValue: value)] = Int(try row.int("n", table: "key references"))
        }
        return out
    }

    public func staleCount(_ purpose: KeyPurpose, current: KeyID) async throws -> Int {
        try await database.offThread { db in
            try Self.staleQueries(purpose).reduce(0) { sum, query in
                sum + Int(try db.query("SELECT count(*) AS n FROM \(query.table) WHERE \(query.condition)", [current])
                    .first?.int("n", table: query.table) ?? 0)
            }
        }
    }

    public func staleSecrets(_ purpose: KeyPurpose, current: KeyID, limit: Int) async throws -> [StaleSecret] {
        try await database.offThread { db in
            var out: [StaleSecret] = []
            for query in Self.staleQueries(purpose) where out.count < limit {
                let rows = try db.query("""
                    SELECT \(query.columns) FROM \(query.table) WHERE \(query.condition) ORDER BY \(query.order) LIMIT $2
                    """, [current, limit - out.count])
                out += try rows.map { try query.read($0) }
            }
            return out
        }
    }

    /// One kind of long-lived value: where it is and how to read a row of it.
    private struct StaleQuery: Sendable {
        var table: String
        var columns: String
        /// With `$1`, the current key id.
        var condition: String
        var order: String
        var read: @Sendable (PostgresRow) throws -> StaleSecret
    }

    private static func staleQueries(_ purpose: KeyPurpose) -> [StaleQuery] {
        switch purpose {
        case .password:
            return [StaleQuery(table: "\"user\"", columns: "id, password_hash, password_key_id",
                               condition: "password_key_id < $1", order: "id") { row in
                let user = try row.text("id", table: "user")
                return .passwordHash(UserID(rawValue: user), try sealed(row, "password_hash", "password_key_id"))
            }]
        case .pii:
            // The index is written with its ciphertext, always under the
            // same key: the indexed column finds both.
            return [
                StaleQuery(table: "\"user\"", columns: "id, email, email_key_id",
                           condition: "email_key_id < $1", order: "id") { row in
                    .email(UserID(rawValue: try row.text("id", table: "user")), try sealed(row, "email", "email_key_id"))
                },
                StaleQuery(table: "\"user\"", columns: "id, phone, phone_key_id",
                           condition: "phone_key_id < $1", order: "id") { row in
                    .phone(UserID(rawValue: try row.text("id", table: "user")), try sealed(row, "phone", "phone_key_id"))
                },
            ]
        case .audit:
            // Also the HMAC checkpoints written before signatures: re-signed
            // under the active key, so the public key verifies the whole trail.
            return [
                StaleQuery(table: "audit_checkpoint", columns: PostgresAuditLog.checkpointColumns,
                           condition: "(key_id < $1 OR scheme = 'hmac-sha256')", order: "seq") { row in
                    .checkpoint(try PostgresAuditLog.checkpoint(from: row))
                },
                StaleQuery(table: "audit_anchor", columns: PostgresAuditLog.checkpointColumns,
                           condition: "(key_id < $1 OR scheme = 'hmac-sha256')", order: "id") { row in
                    .anchor(try PostgresAuditLog.checkpoint(from: row, table: "audit_anchor"))
                },
            ]
        case .otp:
            // As on SQLite: codes, challenges and queued messages finish under
            // their key; recovery codes are digests; an app's secret is re-sealed.
            return [StaleQuery(table: "factor", columns: "id, secret, secret_key_id",
                               condition: "secret IS NOT NULL AND secret_key_id < $1", order: "id") { row in
                .totpSecret(FactorID(rawValue: try row.text("id", table: "factor")),
                            SealedSecret(bytes: try row.bytes("secret", table: "factor"),
                                         keyID: try row.keyID("secret_key_id", table: "factor")))
            }]
        }
    }

    private static func sealed(_ row: PostgresRow, _ column: String, _ keyColumn: String) throws -> SealedSecret {
        SealedSecret(bytes: try row.bytes(column, table: "user"), keyID: try row.keyID(keyColumn, table: "user"))
    }

    public func replace(_ replacements: [RewrappedSecret], progress: KeyRewrap) async throws -> KeyRewrap {
        try await database.offThreadTransaction { db in
            var saved = progress
            for replacement in replacements where try Self.write(replacement, db) {
                saved.processed += 1
            }
            try Self.save(saved, db)
            return saved
        }
    }

    /// Writes one replacement if the stored value is still the stale one.
    private static func write(_ r: RewrappedSecret, _ db: PostgresSession) throws -> Bool {
        switch r.stale {
        case .passwordHash(let user, let old):
            return try db.execute("""
                UPDATE "user" SET password_hash = $1, password_key_id = $2 WHERE id = $3 AND password_hash = $4
                """, [r.sealed?.bytes, r.sealed?.keyID, user, old.bytes]) > 0
        case .email(let user, let old):
            return try db.execute("""
                UPDATE "user" SET email = $1, email_key_id = $2, email_index = $3, email_index_key_id = $4
                WHERE id = $5 AND email = $6
                """, [r.sealed?.bytes, r.sealed?.keyID, r.digest?.bytes, r.digest?.keyID, user, old.bytes]) > 0
        case .phone(let user, let old):
            return try db.execute("""
                UPDATE "user" SET phone = $1, phone_key_id = $2, phone_index = $3, phone_index_key_id = $4
                WHERE id = $5 AND phone = $6
                """, [r.sealed?.bytes, r.sealed?.keyID, r.digest?.bytes, r.digest?.keyID, user, old.bytes]) > 0
        case .totpSecret(let id, let old):
            return try db.execute("""
                UPDATE factor SET secret = $1, secret_key_id = $2 WHERE id = $3 AND secret = $4
                """, [r.sealed?.bytes, r.sealed?.keyID, id.rawValue, old.bytes]) > 0
        case .checkpoint(let old), .anchor(let old):
            guard let seal = r.seal else { return false }
            let table = if case .anchor = r.stale { "audit_anchor" } else { "audit_checkpoint" }
            return try db.execute("""
                UPDATE \(table) SET seal = $1, scheme = $2, key_id = $3 WHERE seq = $4 AND seal = $5 AND hash = $6
                """, [seal.bytes, PostgresAuditLog.scheme(seal), seal.keyID, old.seq, old.seal.bytes, old.hash]) > 0
        }
    }

    public func rewraps() async throws -> [KeyRewrap] {
        try await database.offThread { db in
            try db.query("""
                SELECT purpose, key_id, state, processed, total, started_at, updated_at, problem FROM key_rewrap ORDER BY purpose
                """).map { row in
                let t = "key_rewrap"
                guard let purpose = KeyPurpose(rawValue: try row.text("purpose", table: t)),
                      let state = KeyRewrapState(rawValue: try row.text("state", table: t)) else {
                    throw PostgresStoreError.corruptRecord(table: t, detail: "unknown purpose or state")
                }
                return KeyRewrap(purpose: purpose, keyID: try row.keyID("key_id", table: t), state: state,
                                 processed: Int(try row.int("processed", table: t)), total: Int(try row.int("total", table: t)),
                                 startedAt: try row.instant("started_at", table: t),
                                 updatedAt: try row.instant("updated_at", table: t),
                                 problem: try row.optionalText("problem", table: t))
            }
        }
    }

    public func save(_ rewrap: KeyRewrap) async throws {
        try await database.offThread { db in try Self.save(rewrap, db) }
    }

    private static func save(_ r: KeyRewrap, _ db: PostgresSession) throws {
        try db.execute("""
            INSERT INTO key_rewrap (purpose, key_id, state, processed, total, started_at, updated_at, problem)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            ON CONFLICT (purpose) DO UPDATE SET key_id = excluded.key_id, state = excluded.state,
                processed = excluded.processed, total = excluded.total, started_at = excluded.started_at,
                updated_at = excluded.updated_at, problem = excluded.problem
            """, [r.purpose.rawValue, r.keyID, r.state.rawValue, r.processed, r.total, r.startedAt, r.updatedAt, r.problem])
    }

    /// Claims `purpose` with a session advisory lock on a connection of its
    /// own, held while `body` runs: one instance re-wraps a purpose at a
    /// time, and a crashed holder's connection drops the lock.
    public func exclusively(_ purpose: KeyPurpose, _ body: @Sendable () async throws -> Void) async throws -> Bool {
        let connection = try await database.connectDedicated(id: Self.lockConnectionID)
        do {
            let rows = try await connection.query(
                "SELECT pg_try_advisory_lock(hashtext('riegel.key_rewrap.' || \(purpose.rawValue))) AS claimed",
                logger: Self.logger)
            var claimed = false
            for try await (value) in rows.decode(Bool.self) { claimed = value }
            if claimed { try await body() }
            try? await connection.close()
            return claimed
        } catch {
            try? await connection.close()
            throw PostgresStoreError.wrap(error)
        }
    }

    private static let lockConnectionID = 0x6b6579  // "key"
    private static let logger = Logger(label: "riegel.postgres.key_rewrap", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Retires key `id` in one transaction that locks its row, so a rotation
    /// or a second retirement waits; then vacuums `key` so the old row
    /// version leaves the table's live pages. Always `false`: see the type's note.
    public func retire(_ id: KeyID, now: Instant) async throws -> Bool {
        try await database.offThreadTransaction { db in
            guard let row = try db.query("SELECT state FROM key WHERE id = $1 FOR UPDATE", [id]).first else {
                throw KeyRewrapStoreError.unknownKey(id)
            }
            if try row.text("state", table: "key") == KeyState.active.rawValue { throw KeyRewrapStoreError.active(id) }
            if let count = try Self.usage(db, now: now, only: id)[id], count > 0 {
                throw KeyRewrapStoreError.inUse(id, count: count)
            }
            try db.execute("UPDATE key SET state = 'retired', wrapped = ''::bytea WHERE id = $1", [id])
        }
        try await database.offThread { db in try db.execute("VACUUM key") }
        return false
    }
}
