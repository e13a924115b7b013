import PostgresNIO
import RiegelCore

/// The ``SMSChallengeStore`` on PostgreSQL: tables `sms_challenge` and
/// `sms_outbox` of `pg-5-sms`, the same columns as SQLite's. A challenge and
/// the message with its code are written in one transaction; payloads are
/// sealed and wiped once sent, given up or outlived.
public final class PostgresSMSChallengeStore: SMSChallengeStore {
    private let database: PostgresDatabase

    /// A store on `database`.
    public init(database: PostgresDatabase) {
        self.database = database
    }

    private static let messageColumns = """
        id, challenge_id, purpose, country_code, payload, payload_key_id, created_at, expires_at, attempts,
        next_attempt_at, sent_at, gateway
        """

    public func create(_ stored: StoredChallenge, message: QueuedSMS) throws -> Int64 {
        let json = try JSONColumn.encode(stored.challenge)
        return try database.transaction { db in
            let reset = stored.pendingReset
            try db.execute("""
                INSERT INTO sms_challenge (id, user_id, challenge, state, expires_at, language,
                                           reset_digest, reset_hash, reset_key_id, credential_generation)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                """, [
                    stored.challenge.id.rawValue, stored.challenge.userID, json, stored.challenge.state.rawValue,
                    stored.challenge.expiresAt, stored.language, reset?.tokenDigest, reset?.passwordHash.bytes,
                    reset?.passwordHash.keyID, stored.credentialGeneration,
                ])
            return try Self.insert(message, db)
        }
    }

    public func enqueueNotice(_ message: QueuedSMS, verifiedAt: Instant) throws -> Int64 {
        try database.transaction { db in
            let id = try Self.insert(message, db)
            try db.execute("UPDATE sms_outbox SET verified_at = $1 WHERE id = $2", [verifiedAt, id])
            return id
        }
    }

    public func challenge(id: ChallengeID) throws -> StoredChallenge? {
        try database.withSession { db in
            guard let row = try db.query("""
                SELECT challenge, language, reset_digest, reset_hash, reset_key_id, credential_generation
                FROM sms_challenge WHERE id = $1
                """, [id.rawValue]).first else { return nil }
            let t = "sms_challenge"
            let challenge = try JSONColumn.decode(SMSChallenge.self, try row.text("challenge", table: t), table: t)
            var reset: PendingPasswordReset?
            if let digest = try row.optionalBytes("reset_digest", table: t),
               let hash = try row.optionalBytes("reset_hash", table: t),
               let keyID = try row.optionalKeyID("reset_key_id", table: t) {
                reset = PendingPasswordReset(tokenDigest: digest, passwordHash: SealedSecret(bytes: hash, keyID: keyID))
            }
            return StoredChallenge(challenge: challenge, language: try row.optionalText("language", table: t),
                                   pendingReset: reset,
                                   credentialGeneration: try row.optionalInt("credential_generation", table: t)
                                       .map { Int($0) })
        }
    }

    @discardableResult
    public func update(_ challenge: SMSChallenge, verifiedAt: Instant?) throws -> Bool {
        let json = try JSONColumn.encode(challenge)
        return try database.transaction { db in
            guard try Self.save(challenge, json: json, db) else { return false }
            if let verifiedAt {
                try db.execute("UPDATE sms_outbox SET verified_at = $1 WHERE challenge_id = $2",
                               [verifiedAt, challenge.id.rawValue])
            }
            return true
        }
    }

    public func resend(_ challenge: SMSChallenge, message: QueuedSMS) throws -> Int64 {
        let json = try JSONColumn.encode(challenge)
        return try database.transaction { db in
            try Self.save(challenge, json: json, db)
            try db.execute("""
                UPDATE sms_outbox SET payload = NULL, payload_key_id = NULL WHERE challenge_id = $1 AND sent_at IS NULL
                """, [challenge.id.rawValue])
            return try Self.insert(message, db)
        }
    }

    public func discard(id: ChallengeID) throws {
        try database.transaction { db in
            try db.execute("DELETE FROM sms_outbox WHERE challenge_id = $1", [id.rawValue])
            try db.execute("DELETE FROM sms_challenge WHERE id = $1", [id.rawValue])
        }
    }

    @discardableResult
    public func endPending(of userID: UserID) throws -> Int {
        try database.transaction { db in
            try db.execute("""
                UPDATE sms_outbox SET payload = NULL, payload_key_id = NULL
                WHERE sent_at IS NULL AND challenge_id IN
                    (SELECT id FROM sms_challenge WHERE user_id = $1 AND state = 'pending')
                """, [userID])
            return try db.execute("DELETE FROM sms_challenge WHERE user_id = $1 AND state = 'pending'", [userID])
        }
    }

    @discardableResult
    public func purge(now: Instant, statsBefore: Instant) throws -> Int {
        try database.transaction { db in
            var removed = try db.execute("DELETE FROM sms_challenge WHERE state <> 'pending' OR expires_at <= $1", [now])
            // Codes of dead challenges are not worth sending: wipe what is left.
            try db.execute("""
                UPDATE sms_outbox SET payload = NULL, payload_key_id = NULL WHERE payload IS NOT NULL AND expires_at <= $1
                """, [now])
            removed += try db.execute("DELETE FROM sms_outbox WHERE created_at < $1", [statsBefore])
            return removed
        }
    }

    public func pendingCount(now: Instant) throws -> Int {
        try database.withSession { db in
            Int(try db.query("SELECT count(*) AS n FROM sms_challenge WHERE state = 'pending' AND expires_at > $1",
                             [now]).first?.int("n", table: "sms_challenge") ?? 0)
        }
    }

    public func message(id: Int64) throws -> QueuedSMS? {
        try database.withSession { db in
            try db.query("SELECT \(Self.messageColumns) FROM sms_outbox WHERE id = $1", [id]).first
                .map(Self.message(from:))
        }
    }

    public func dueMessages(now: Instant, limit: Int) throws -> [QueuedSMS] {
        try database.withSession { db in
            try db.query("""
                SELECT \(Self.messageColumns) FROM sms_outbox
                WHERE payload IS NOT NULL AND sent_at IS NULL AND next_attempt_at <= $1 AND expires_at > $1
                ORDER BY next_attempt_at, id LIMIT $2
                """, [now, limit]).map(Self.message(from:))
        }
    }

    public func markSent(id: Int64, at: Instant, gateway: String) throws {
        try database.withSession { db in
            try db.execute("""
                UPDATE sms_outbox SET sent_at = $1, gateway = $2, attempts = attempts + 1, payload = NULL,
                                      payload_key_id = NULL
                WHERE id = $3
                """, [at, gateway, id])
        }
    }

    public func markFailed(id: Int64, attempts: Int, nextAttemptAt: Instant?) throws {
        try database.withSession { db in
            if let nextAttemptAt {
                try db.execute("UPDATE sms_outbox SET attempts = $1, next_attempt_at = $2 WHERE id = $3",
                               [attempts, nextAttemptAt, id])
            } else {
                try db.execute("UPDATE sms_outbox SET attempts = $1, payload = NULL, payload_key_id = NULL WHERE id = $2",
                               [attempts, id])
            }
        }
    }

    public func stats(since: Instant) throws -> [SMSCountryStats] {
        try database.withSession { db in
            try db.query("""
                SELECT country_code,
                       count(sent_at) AS sent,
                       count(*) - count(sent_at) AS unsent,
                       count(DISTINCT CASE WHEN sent_at IS NOT NULL THEN challenge_id END) AS challenges,
                       count(DISTINCT CASE WHEN sent_at IS NOT NULL AND verified_at IS NOT NULL
                                           THEN challenge_id END) AS verified
                FROM sms_outbox WHERE created_at >= $1
                GROUP BY country_code ORDER BY sent DESC, country_code
                """, [since]).map { row in
                let t = "sms_outbox"
                return SMSCountryStats(countryCode: try row.text("country_code", table: t),
                                       sent: Int(try row.int("sent", table: t)),
                                       unsent: Int(try row.int("unsent", table: t)),
                                       challenges: Int(try row.int("challenges", table: t)),
                                       verified: Int(try row.int("verified", table: t)))
            }
        }
    }

    // MARK: rows

    /// Writes the challenge's state; false when its row is gone.
    @discardableResult
    private static func save(_ challenge: SMSChallenge, json: String, _ db: PostgresSession) throws -> Bool {
        try db.execute("UPDATE sms_challenge SET challenge = $1, state = $2, expires_at = $3 WHERE id = $4",
                       [json, challenge.state.rawValue, challenge.expiresAt, challenge.id.rawValue]) > 0
    }

    private static func insert(_ m: QueuedSMS, _ db: PostgresSession) throws -> Int64 {
        let rows = try db.query("""
            INSERT INTO sms_outbox (challenge_id, purpose, country_code, payload, payload_key_id, created_at,
                                    expires_at, attempts, next_attempt_at, sent_at, gateway)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            RETURNING id
            """, [
                m.challengeID.rawValue, m.purpose.rawValue, m.countryCode, m.payload?.bytes, m.payload?.keyID,
                m.createdAt, m.expiresAt, m.attempts, m.nextAttemptAt, m.sentAt, m.gateway,
            ])
        return try rows.first?.int("id", table: "sms_outbox") ?? 0
    }

    private static func message(from row: PostgresRow) throws -> QueuedSMS {
        let t = "sms_outbox"
        let id = try row.int("id", table: t)
        var payload: SealedSecret?
        if let bytes = try row.optionalBytes("payload", table: t), let keyID = try row.optionalKeyID("payload_key_id", table: t) {
            payload = SealedSecret(bytes: bytes, keyID: keyID)
        }
        guard let purpose = ChallengePurpose(rawValue: try row.text("purpose", table: t)) else {
            throw PostgresStoreError.corruptRecord(table: t, detail: "message \(id) has an unknown purpose")
        }
        return QueuedSMS(id: id, challengeID: ChallengeID(rawValue: try row.text("challenge_id", table: t)),
                         purpose: purpose, countryCode: try row.text("country_code", table: t), payload: payload,
                         createdAt: try row.instant("created_at", table: t),
                         expiresAt: try row.instant("expires_at", table: t),
                         attempts: Int(try row.int("attempts", table: t)),
                         nextAttemptAt: try row.instant("next_attempt_at", table: t),
                         sentAt: try row.optionalInstant("sent_at", table: t),
                         gateway: try row.optionalText("gateway", table: t))
    }
}
