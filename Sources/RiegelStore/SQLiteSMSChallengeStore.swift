import Foundation
import GRDB
import RiegelCore

/// The ``SMSChallengeStore`` on SQLite: tables `sms_challenge` and
/// `sms_outbox` of migration `v6-sms`.
///
/// Statements are compiled once per connection (`cachedStatement`): the
/// SMS flow runs several per send and per verification.
///
/// - Important: stores only what it is handed: the challenge's JSON (sealed
///   phone, code digest), the sealed message payload and the sealed pending
///   password. A sent or given-up message loses its payload in the same
///   statement that marks it.
public final class SQLiteSMSChallengeStore: SMSChallengeStore {
    private let database: RiegelDatabase

    /// A store on `database`.
    public init(database: RiegelDatabase) {
        self.database = database
    }

    public func create(_ stored: StoredChallenge, message: QueuedSMS) throws -> Int64 {
        let json = try StoreColumns.json(stored.challenge)
        return try database.write { db in
            let reset = stored.pendingReset
            try db.cachedStatement(sql: """
                INSERT INTO sms_challenge (id, user_id, challenge, state, expires_at, language,
                                           reset_digest, reset_hash, reset_key_id, credential_generation)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                    stored.challenge.id.rawValue, stored.challenge.userID.rawValue, json,
                    stored.challenge.state.rawValue, stored.challenge.expiresAt.secondsSinceEpoch, stored.language,
                    reset.map { Data($0.tokenDigest) }, reset.map { Data($0.passwordHash.bytes) },
                    reset.map { Int64($0.passwordHash.keyID.rawValue) },
                    stored.credentialGeneration.map { Int64($0) },
                ])
            return try Self.insert(message, db)
        }
    }

    public func enqueueNotice(_ message: QueuedSMS, verifiedAt: Instant) throws -> Int64 {
        try database.write { db in
            let id = try Self.insert(message, db)
            try db.cachedStatement(sql: "UPDATE sms_outbox SET verified_at = ? WHERE id = ?").execute(
                arguments: [verifiedAt.secondsSinceEpoch, id])
            return id
        }
    }

    public func challenge(id: ChallengeID) throws -> StoredChallenge? {
        let row = try database.reentrantRead { db in
            try Row.fetchOne(db.cachedStatement(sql: """
                SELECT challenge, language, reset_digest, reset_hash, reset_key_id, credential_generation
                FROM sms_challenge WHERE id = ?
                """), arguments: [id.rawValue])
        }
        guard let row else { return nil }
        let challenge = try StoreColumns.decodeJSON(SMSChallenge.self, row["challenge"], table: "sms_challenge",
                                                    row: id.rawValue)
        var reset: PendingPasswordReset?
        if let digest = row["reset_digest"] as Data?, let hash = row["reset_hash"] as Data?,
           let keyID = row["reset_key_id"] as Int64? {
            reset = PendingPasswordReset(
                tokenDigest: StoreColumns.bytes(digest),
                passwordHash: SealedSecret(bytes: StoreColumns.bytes(hash),
                                           keyID: try StoreColumns.keyID(keyID, table: "sms_challenge",
                                                                         column: "reset_key_id", row: id.rawValue)))
        }
        return StoredChallenge(challenge: challenge, language: row["language"], pendingReset: reset,
                               credentialGeneration: (row["credential_generation"] as Int64?).map { Int($0) })
    }

    @discardableResult
    public func update(_ challenge: SMSChallenge, verifiedAt: Instant?) throws -> Bool {
        let json = try StoreColumns.json(challenge)
        return try database.write { db in
            guard try Self.save(challenge, json: json, db) else { return false }
            if let verifiedAt {
                try db.cachedStatement(sql: "UPDATE sms_outbox SET verified_at = ? WHERE challenge_id = ?").execute(
                    arguments: [verifiedAt.secondsSinceEpoch, challenge.id.rawValue])
            }
            return true
        }
    }

    public func resend(_ challenge: SMSChallenge, message: QueuedSMS) throws -> Int64 {
        let json = try StoreColumns.json(challenge)
        return try database.write { db in
            try Self.save(challenge, json: json, db)
            try db.cachedStatement(sql: """
                UPDATE sms_outbox SET payload = NULL, payload_key_id = NULL
                WHERE challenge_id = ? AND sent_at IS NULL
                """).execute(arguments: [challenge.id.rawValue])
            return try Self.insert(message, db)
        }
    }

    public func discard(id: ChallengeID) throws {
        try database.write { db in
            try db.cachedStatement(sql: "DELETE FROM sms_outbox WHERE challenge_id = ?").execute(arguments: [id.rawValue])
            try db.cachedStatement(sql: "DELETE FROM sms_challenge WHERE id = ?").execute(arguments: [id.rawValue])
        }
    }

    @discardableResult
    public func endPending(of userID: UserID) throws -> Int {
        try database.write { db in
            try db.cachedStatement(sql: """
                UPDATE sms_outbox SET payload = NULL, payload_key_id = NULL
                WHERE sent_at IS NULL AND challenge_id IN
                    (SELECT id FROM sms_challenge WHERE user_id = ? AND state = 'pending')
                """).execute(arguments: [userID.rawValue])
            try db.cachedStatement(sql: "DELETE FROM sms_challenge WHERE user_id = ? AND state = 'pending'").execute(
                arguments: [userID.rawValue])
            return db.changesCount
        }
    }

    @discardableResult
    public func purge(now: Instant, statsBefore: Instant) throws -> Int {
        try database.write { db in
            try db.cachedStatement(sql: "DELETE FROM sms_challenge WHERE state != 'pending' OR expires_at <= ?").execute(
                arguments: [now.secondsSinceEpoch])
            var removed = db.changesCount
            // Codes of dead challenges are not worth sending: wipe what is left.
            try db.cachedStatement(sql: """
                UPDATE sms_outbox SET payload = NULL, payload_key_id = NULL
                WHERE payload IS NOT NULL AND expires_at <= ?
                """).execute(arguments: [now.secondsSinceEpoch])
            try db.cachedStatement(sql: "DELETE FROM sms_outbox WHERE created_at < ?").execute(
                arguments: [statsBefore.secondsSinceEpoch])
            removed += db.changesCount
            return removed
        }
    }

    public func pendingCount(now: Instant) throws -> Int {
        try database.reentrantRead { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM sms_challenge WHERE state = 'pending' AND expires_at > ?",
                             arguments: [now.secondsSinceEpoch]) ?? 0
        }
    }

    public func message(id: Int64) throws -> QueuedSMS? {
        try database.reentrantRead { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM sms_outbox WHERE id = ?"), arguments: [id]).map(Self.message(from:))
        }
    }

    public func dueMessages(now: Instant, limit: Int) throws -> [QueuedSMS] {
        try database.reentrantRead { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM sms_outbox
                WHERE payload IS NOT NULL AND sent_at IS NULL AND next_attempt_at <= ? AND expires_at > ?
                ORDER BY next_attempt_at, id LIMIT ?
                """), arguments: [now.secondsSinceEpoch, now.secondsSinceEpoch, limit]).map(Self.message(from:))
        }
    }

    public func markSent(id: Int64, at: Instant, gateway: String) throws {
        try database.write { db in
            try db.cachedStatement(sql: """
                UPDATE sms_outbox SET sent_at = ?, gateway = ?, attempts = attempts + 1,
                                      payload = NULL, payload_key_id = NULL
                WHERE id = ?
                """).execute(arguments: [at.secondsSinceEpoch, gateway, id])
        }
    }

    public func markFailed(id: Int64, attempts: Int, nextAttemptAt: Instant?) throws {
        try database.write { db in
            if let nextAttemptAt {
                try db.cachedStatement(sql: "UPDATE sms_outbox SET attempts = ?, next_attempt_at = ? WHERE id = ?").execute(
                    arguments: [attempts, nextAttemptAt.secondsSinceEpoch, id])
            } else {
                try db.cachedStatement(sql: """
                    UPDATE sms_outbox SET attempts = ?, payload = NULL, payload_key_id = NULL WHERE id = ?
                    """).execute(arguments: [attempts, id])
            }
        }
    }

    public func stats(since: Instant) throws -> [SMSCountryStats] {
        try database.reentrantRead { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT country_code,
                       count(sent_at) AS sent,
                       count(*) - count(sent_at) AS unsent,
                       count(DISTINCT CASE WHEN sent_at IS NOT NULL THEN challenge_id END) AS challenges,
                       count(DISTINCT CASE WHEN sent_at IS NOT NULL AND verified_at IS NOT NULL
                                           THEN challenge_id END) AS verified
                FROM sms_outbox WHERE created_at >= ?
                GROUP BY country_code ORDER BY sent DESC, country_code
                """), arguments: [since.secondsSinceEpoch]).map { row in
                SMSCountryStats(countryCode: row["country_code"], sent: row["sent"], unsent: row["unsent"],
                                challenges: row["challenges"], verified: row["verified"])
            }
        }
    }

    // MARK: rows

    /// Writes the challenge's state; false when its row is gone.
    @discardableResult
    private static func save(_ challenge: SMSChallenge, json: String, _ db: Database) throws -> Bool {
        try db.cachedStatement(sql: "UPDATE sms_challenge SET challenge = ?, state = ?, expires_at = ? WHERE id = ?")
            .execute(arguments: [json, challenge.state.rawValue, challenge.expiresAt.secondsSinceEpoch,
                                 challenge.id.rawValue])
        return db.changesCount > 0
    }

    private static func insert(_ m: QueuedSMS, _ db: Database) throws -> Int64 {
        try db.cachedStatement(sql: """
            INSERT INTO sms_outbox (challenge_id, purpose, country_code, payload, payload_key_id, created_at,
                                    expires_at, attempts, next_attempt_at, sent_at, gateway)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                m.challengeID.rawValue, m.purpose.rawValue, m.countryCode, m.payload.map { Data($0.bytes) },
                m.payload.map { Int64($0.keyID.rawValue) }, m.createdAt.secondsSinceEpoch,
                m.expiresAt.secondsSinceEpoch, m.attempts, m.nextAttemptAt.secondsSinceEpoch,
                m.sentAt?.secondsSinceEpoch, m.gateway,
            ])
        return db.lastInsertedRowID
    }

    private static func message(from row: Row) throws -> QueuedSMS {
        let id: Int64 = row["id"]
        var payload: SealedSecret?
        if let bytes = row["payload"] as Data?, let keyID = row["payload_key_id"] as Int64? {
            payload = SealedSecret(bytes: StoreColumns.bytes(bytes),
                                   keyID: try StoreColumns.keyID(keyID, table: "sms_outbox", column: "payload_key_id",
                                                                 row: "\(id)"))
        }
        guard let purpose = ChallengePurpose(rawValue: row["purpose"]) else {
            throw RiegelStoreError.corruptRecord(table: "sms_outbox", detail: "message \(id) has an unknown purpose")
        }
        return QueuedSMS(id: id, challengeID: ChallengeID(rawValue: row["challenge_id"]), purpose: purpose,
                         countryCode: row["country_code"], payload: payload,
                         createdAt: Instant(secondsSinceEpoch: row["created_at"]),
                         expiresAt: Instant(secondsSinceEpoch: row["expires_at"]), attempts: row["attempts"],
                         nextAttemptAt: Instant(secondsSinceEpoch: row["next_attempt_at"]),
                         sentAt: StoreColumns.instant(row["sent_at"]), gateway: row["gateway"])
    }
}
