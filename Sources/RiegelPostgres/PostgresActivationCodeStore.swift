import PostgresNIO
import RiegelCore

/// The ``ActivationCodeStore`` on PostgreSQL: table `activation_code` of
/// `pg-1-accounts` (keyed digests only). A redemption is one conditional
/// `UPDATE … RETURNING` per candidate digest, in one transaction.
public final class PostgresActivationCodeStore: ActivationCodeStore {
    private let database: PostgresDatabase

    /// A store on `database`.
    public init(database: PostgresDatabase) {
        self.database = database
    }

    public func create(_ record: ActivationCodeRecord) throws {
        try database.withSession { db in
            try db.execute("""
                INSERT INTO activation_code (digest, key_id, user_id, subject, created_at, expires_at, redeemed_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                """, [record.digest.bytes, record.digest.keyID, record.userID, record.subject, record.createdAt,
                      record.expiresAt, record.redeemedAt])
        }
    }

    public func redeem(userID: UserID, candidates: [KeyedDigest], now: Instant) throws -> ActivationCodeRecord? {
        guard !candidates.isEmpty else { return nil }
        return try database.transaction { db in
            for candidate in candidates {
                if let row = try db.query("""
                    UPDATE activation_code SET redeemed_at = $1
                    WHERE digest = $2 AND key_id = $3 AND user_id = $4 AND redeemed_at IS NULL AND expires_at > $1
                    RETURNING digest, key_id, user_id, subject, created_at, expires_at, redeemed_at
                    """, [now, candidate.bytes, candidate.keyID, userID]).first {
                    return try Self.record(from: row)
                }
            }
            return nil
        }
    }

    public func countLive(keyID: KeyID, now: Instant) throws -> Int {
        try database.withSession { db in
            Int(try db.query("""
                SELECT count(*) AS n FROM activation_code WHERE key_id = $1 AND redeemed_at IS NULL AND expires_at > $2
                """, [keyID, now]).first?.int("n", table: "activation_code") ?? 0)
        }
    }

    private static func record(from row: PostgresRow) throws -> ActivationCodeRecord {
        let t = "activation_code"
        return ActivationCodeRecord(
            digest: KeyedDigest(bytes: try row.bytes("digest", table: t), keyID: try row.keyID("key_id", table: t)),
            userID: UserID(rawValue: try row.text("user_id", table: t)), subject: try row.text("subject", table: t),
            createdAt: try row.instant("created_at", table: t), expiresAt: try row.instant("expires_at", table: t),
            redeemedAt: try row.optionalInstant("redeemed_at", table: t))
    }
}
