import RiegelCore

/// The ``ResetTokenStore`` on PostgreSQL: table `reset_token` of
/// `pg-1-accounts`. Only SHA-256 digests are stored; ``consume(digest:now:)``
/// is one conditional `UPDATE … RETURNING`, so a token is used once across
/// every instance.
public final class PostgresResetTokenStore: ResetTokenStore {
    private let database: PostgresDatabase

    /// A store on `database`.
    public init(database: PostgresDatabase) {
        self.database = database
    }

    public func create(digest: [UInt8], userID: UserID, createdAt: Instant, expiresAt: Instant) throws {
        try database.withSession { db in
            try db.execute("INSERT INTO reset_token (digest, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
                           [digest, userID, createdAt, expiresAt])
        }
    }

    public func user(forDigest digest: [UInt8], now: Instant) throws -> UserID? {
        try database.withSession { db in
            try db.query("SELECT user_id FROM reset_token WHERE digest = $1 AND used_at IS NULL AND expires_at > $2",
                         [digest, now]).first.map { UserID(rawValue: try $0.text("user_id", table: "reset_token")) }
        }
    }

    public func consume(digest: [UInt8], now: Instant) throws -> UserID? {
        try database.withSession { db in
            try db.query("""
                UPDATE reset_token SET used_at = $1 WHERE digest = $2 AND used_at IS NULL AND expires_at > $1
                RETURNING user_id
                """, [now, digest]).first.map { UserID(rawValue: try $0.text("user_id", table: "reset_token")) }
        }
    }

    public func removeAll(for userID: UserID) throws {
        try database.withSession { db in try db.execute("DELETE FROM reset_token WHERE user_id = $1", [userID]) }
    }
}
