import RiegelCore

/// The ``KeyRewrapStore`` on PostgreSQL, so far its bookkeeping: the re-wrap
/// jobs' progress (`key_rewrap` of `pg-4-keys`) and how many long-lived
/// values are under older keys (what riegeld checks at start). Counting key
/// references, re-wrapping the values and retiring keys are not yet ported:
/// they throw ``PostgresStoreError/notYetAvailable(feature:)``.
public final class PostgresKeyRewrapStore: KeyRewrapStore {
    private let database: PostgresDatabase

    /// A store on `database`.
    public init(database: PostgresDatabase) {
        self.database = database
    }

    private static let missing = PostgresStoreError.notYetAvailable(
        feature: "key usage, re-wrap and retirement on PostgreSQL (SQLite only so far)")

    public func usage(now: Instant) async throws -> [KeyID: Int] { throw Self.missing }

    /// Counted from the same columns as on SQLite: password hashes, e-mail and
    /// phone, audit checkpoints and the anchor (HMAC ones too), TOTP secrets.
    public func staleCount(_ purpose: KeyPurpose, current: KeyID) async throws -> Int {
        let queries: [String] = switch purpose {
        case .password: ["SELECT count(*) AS n FROM \"user\" WHERE password_key_id < $1"]
        case .pii: ["SELECT count(*) AS n FROM \"user\" WHERE email_key_id < $1",
                    "SELECT count(*) AS n FROM \"user\" WHERE phone_key_id < $1"]
        case .audit: ["SELECT count(*) AS n FROM audit_checkpoint WHERE (key_id < $1 OR scheme = 'hmac-sha256')",
                      "SELECT count(*) AS n FROM audit_anchor WHERE (key_id < $1 OR scheme = 'hmac-sha256')"]
        case .otp: ["SELECT count(*) AS n FROM factor WHERE secret IS NOT NULL AND secret_key_id < $1"]
        }
        return try await database.offThread { db in
            try queries.reduce(0) { sum, sql in
                sum + Int(try db.query(sql, [current]).first?.int("n", table: "key_rewrap") ?? 0)
            }
        }
    }

    public func staleSecrets(_ purpose: KeyPurpose, current: KeyID, limit: Int) async throws -> [StaleSecret] {
        throw Self.missing
    }

    public func replace(_ replacements: [RewrappedSecret], progress: KeyRewrap) async throws -> KeyRewrap {
        throw Self.missing
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
        try await database.offThread { db in
            try db.execute("""
                INSERT INTO key_rewrap (purpose, key_id, state, processed, total, started_at, updated_at, problem)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                ON CONFLICT (purpose) DO UPDATE SET key_id = excluded.key_id, state = excluded.state,
                    processed = excluded.processed, total = excluded.total, started_at = excluded.started_at,
                    updated_at = excluded.updated_at, problem = excluded.problem
                """, [rewrap.purpose.rawValue, rewrap.keyID, rewrap.state.rawValue, rewrap.processed, rewrap.total,
                      rewrap.startedAt, rewrap.updatedAt, rewrap.problem])
        }
    }

    public func retire(_ id: KeyID, now: Instant) async throws -> Bool { throw Self.missing }
}
