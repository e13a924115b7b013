import PostgresNIO
import RiegelCore

/// The ``FactorStore`` on PostgreSQL: tables `factor`, `recovery_code` and
/// `factor_challenge` of `pg-6-factors`. Each single-use rule is one
/// conditional `UPDATE`, so two instances cannot both spend one TOTP step,
/// one recovery code or one challenge attempt.
public final class PostgresFactorStore: FactorStore {
    private let database: PostgresDatabase

    /// A store on `database`.
    public init(database: PostgresDatabase) {
        self.database = database
    }

    private static let columns = "id, user_id, kind, label, state, created_at, last_used_at, secret, secret_key_id, last_step"
    private static let insert = "INSERT INTO factor (\(columns)) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"

    public func create(_ factor: FactorRecord) throws {
        do {
            try database.transaction { db in try db.execute(Self.insert, Self.binds(factor)) }
        } catch let error as PostgresStoreError where error.isUniqueViolation("factor_active_label") {
            throw FactorStoreError.labelTaken
        }
    }

    public func factor(id: FactorID) throws -> FactorRecord? {
        try database.withSession { db in
            try db.query("SELECT \(Self.columns) FROM factor WHERE id = $1", [id.rawValue]).first.map(Self.record(from:))
        }
    }

    public func factors(of userID: UserID) throws -> [FactorRecord] {
        try database.withSession { db in
            try db.query("SELECT \(Self.columns) FROM factor WHERE user_id = $1 ORDER BY created_at, id", [userID])
                .map(Self.record(from:))
        }
    }

    @discardableResult
    public func remove(id: FactorID) throws -> Bool {
        try database.withSession { db in try db.execute("DELETE FROM factor WHERE id = $1", [id.rawValue]) > 0 }
    }

    @discardableResult
    public func removeAll(of userID: UserID) throws -> Int {
        try database.transaction { db in
            try db.execute("DELETE FROM factor_challenge WHERE user_id = $1", [userID])
            return try db.execute("DELETE FROM factor WHERE user_id = $1", [userID])
        }
    }

    public func confirmTOTP(id: FactorID, step: Int64, at: Instant) throws -> Bool {
        try database.withSession { db in
            try db.execute("""
                UPDATE factor SET state = 'active', last_step = $1, last_used_at = $2
                WHERE id = $3 AND kind = 'totp' AND state = 'pending'
                """, [step, at, id.rawValue]) == 1
        }
    }

    public func useTOTPStep(id: FactorID, step: Int64, at: Instant) throws -> Bool {
        try database.withSession { db in
            try db.execute("""
                UPDATE factor SET last_step = $1, last_used_at = $2
                WHERE id = $3 AND kind = 'totp' AND state = 'active' AND (last_step IS NULL OR last_step < $1)
                """, [step, at, id.rawValue]) == 1
        }
    }

    public func replaceRecoveryCodes(_ factor: FactorRecord, digests: [KeyedDigest]) throws {
        try database.transaction { db in
            try db.execute("DELETE FROM factor WHERE user_id = $1 AND kind = 'recovery_code'", [factor.userID])
            try db.execute(Self.insert, Self.binds(factor))
            for digest in digests {
                try db.execute("INSERT INTO recovery_code (digest, key_id, factor_id, user_id) VALUES ($1, $2, $3, $4)",
                               [digest.bytes, digest.keyID, factor.id.rawValue, factor.userID])
            }
        }
    }

    public func useRecoveryCode(of userID: UserID, digests: [KeyedDigest], at: Instant) throws -> Bool {
        guard !digests.isEmpty else { return false }
        return try database.transaction { db in
            for digest in digests {
                let used = try db.execute("""
                    UPDATE recovery_code SET used_at = $1 WHERE user_id = $2 AND digest = $3 AND key_id = $4 AND used_at IS NULL
                    """, [at, userID, digest.bytes, digest.keyID])
                if used == 1 {
                    try db.execute("UPDATE factor SET last_used_at = $1 WHERE user_id = $2 AND kind = 'recovery_code'",
                                   [at, userID])
                    return true
                }
            }
            return false
        }
    }

    public func recoveryCodesLeft(of userID: UserID) throws -> Int {
        try database.withSession { db in
            Int(try db.query("SELECT count(*) AS n FROM recovery_code WHERE user_id = $1 AND used_at IS NULL", [userID])
                .first?.int("n", table: "recovery_code") ?? 0)
        }
    }

    // MARK: challenges

    public func createChallenge(_ challenge: FactorChallenge) throws {
        let reset = challenge.pendingReset
        let json = try JSONColumn.encode(StoredFactorChallenge(challenge))
        try database.withSession { db in
            try db.execute("""
                INSERT INTO factor_challenge (id, user_id, challenge, state, expires_at, reset_digest, reset_hash, reset_key_id)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                """, [challenge.id.rawValue, challenge.userID, json, challenge.state.rawValue, challenge.expiresAt,
                      reset?.tokenDigest, reset?.passwordHash.bytes, reset?.passwordHash.keyID])
        }
    }

    public func challenge(id: ChallengeID) throws -> FactorChallenge? {
        try database.withSession { db in
            guard let row = try db.query("""
                SELECT challenge, reset_digest, reset_hash, reset_key_id FROM factor_challenge WHERE id = $1
                """, [id.rawValue]).first else { return nil }
            let t = "factor_challenge"
            let stored = try JSONColumn.decode(StoredFactorChallenge.self, try row.text("challenge", table: t), table: t)
            var reset: PendingPasswordReset?
            if let digest = try row.optionalBytes("reset_digest", table: t),
               let hash = try row.optionalBytes("reset_hash", table: t),
               let keyID = try row.optionalKeyID("reset_key_id", table: t) {
                reset = PendingPasswordReset(tokenDigest: digest, passwordHash: SealedSecret(bytes: hash, keyID: keyID))
            }
            return stored.challenge(pendingReset: reset)
        }
    }

    public func updateChallenge(_ challenge: FactorChallenge) throws -> Bool {
        let json = try JSONColumn.encode(StoredFactorChallenge(challenge))
        return try database.withSession { db in
            try db.execute("UPDATE factor_challenge SET challenge = $1, state = $2 WHERE id = $3 AND state = 'pending'",
                           [json, challenge.state.rawValue, challenge.id.rawValue]) == 1
        }
    }

    @discardableResult
    public func purgeChallenges(now: Instant) throws -> Int {
        try database.withSession { db in
            try db.execute("DELETE FROM factor_challenge WHERE state <> 'pending' OR expires_at <= $1", [now])
        }
    }

    // MARK: rows

    private static func binds(_ f: FactorRecord) -> [any SQLBindable] {
        [f.id.rawValue, f.userID, f.kind.rawValue, f.label, f.state.rawValue, f.createdAt, f.lastUsedAt,
         f.secret?.bytes, f.secret?.keyID, f.lastStep]
    }

    private static func record(from row: PostgresRow) throws -> FactorRecord {
        let t = "factor"
        let id = try row.text("id", table: t)
        guard let kind = FactorKind(rawValue: try row.text("kind", table: t)),
              let state = FactorState(rawValue: try row.text("state", table: t)) else {
            throw PostgresStoreError.corruptRecord(table: t, detail: "kind or state of \(id) is unknown")
        }
        var secret: SealedSecret?
        if let bytes = try row.optionalBytes("secret", table: t), let keyID = try row.optionalKeyID("secret_key_id", table: t) {
            secret = SealedSecret(bytes: bytes, keyID: keyID)
        }
        return FactorRecord(id: FactorID(rawValue: id), userID: UserID(rawValue: try row.text("user_id", table: t)),
                            kind: kind, label: try row.text("label", table: t), state: state,
                            createdAt: try row.instant("created_at", table: t),
                            lastUsedAt: try row.optionalInstant("last_used_at", table: t), secret: secret,
                            lastStep: try row.optionalInt("last_step", table: t))
    }
}
