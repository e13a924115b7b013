import Foundation
import GRDB
import RiegelCore

/// The ``FactorStore`` on SQLite: tables `factor`, `recovery_code` and
/// `factor_challenge` of migration `v13-factors`.
///
/// Each single-use rule is one conditional `UPDATE` (its row count says who
/// won), so parallel requests cannot both spend a TOTP step or a recovery code.
public final class SQLiteFactorStore: FactorStore {
    private let database: RiegelDatabase

    /// A store on `database`.
    public init(database: RiegelDatabase) {
        self.database = database
    }

    private static let columns = "id, user_id, kind, label, state, created_at, last_used_at, secret, secret_key_id, last_step"

    public func create(_ factor: FactorRecord) throws {
        do {
            try database.write { db in
                try db.execute(sql: """
                    INSERT INTO factor (\(Self.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: Self.arguments(factor))
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE
            && (error.message ?? "").contains("label") {
            throw FactorStoreError.labelTaken
        }
    }

    public func factor(id: FactorID) throws -> FactorRecord? {
        try database.reentrantRead { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.columns) FROM factor WHERE id = ?", arguments: [id.rawValue])
                .map(Self.record(from:))
        }
    }

    public func factors(of userID: UserID) throws -> [FactorRecord] {
        try database.reentrantRead { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.columns) FROM factor WHERE user_id = ? ORDER BY created_at, id",
                             arguments: [userID.rawValue]).map(Self.record(from:))
        }
    }

    @discardableResult
    public func remove(id: FactorID) throws -> Bool {
        try database.write { db in
            try db.execute(sql: "DELETE FROM factor WHERE id = ?", arguments: [id.rawValue])
            return db.changesCount > 0
        }
    }

    @discardableResult
    public func removeAll(of userID: UserID) throws -> Int {
        try database.write { db in
            try db.execute(sql: "DELETE FROM factor_challenge WHERE user_id = ?", arguments: [userID.rawValue])
            try db.execute(sql: "DELETE FROM factor WHERE user_id = ?", arguments: [userID.rawValue])
            return db.changesCount
        }
    }

    public func confirmTOTP(id: FactorID, step: Int64, at: Instant) throws -> Bool {
        try database.write { db in
            try db.execute(sql: """
                UPDATE factor SET state = 'active', last_step = ?, last_used_at = ?
                WHERE id = ? AND kind = 'totp' AND state = 'pending'
                """, arguments: [step, at.secondsSinceEpoch, id.rawValue])
            return db.changesCount == 1
        }
    }

    public func useTOTPStep(id: FactorID, step: Int64, at: Instant) throws -> Bool {
        try database.write { db in
            try db.execute(sql: """
                UPDATE factor SET last_step = ?, last_used_at = ?
                WHERE id = ? AND kind = 'totp' AND state = 'active' AND (last_step IS NULL OR last_step < ?)
                """, arguments: [step, at.secondsSinceEpoch, id.rawValue, step])
            return db.changesCount == 1
        }
    }

    public func replaceRecoveryCodes(_ factor: FactorRecord, digests: [KeyedDigest]) throws {
        try database.write { db in
            try db.execute(sql: "DELETE FROM factor WHERE user_id = ? AND kind = 'recovery_code'",
                           arguments: [factor.userID.rawValue])
            try db.execute(sql: "INSERT INTO factor (\(Self.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           arguments: Self.arguments(factor))
            for digest in digests {
                try db.execute(sql: """
                    INSERT INTO recovery_code (digest, key_id, factor_id, user_id) VALUES (?, ?, ?, ?)
                    """, arguments: [Data(digest.bytes), Int64(digest.keyID.rawValue), factor.id.rawValue,
                                     factor.userID.rawValue])
            }
        }
    }

    public func useRecoveryCode(of userID: UserID, digests: [KeyedDigest], at: Instant) throws -> Bool {
        guard !digests.isEmpty else { return false }
        return try database.write { db in
            for digest in digests {
                try db.execute(sql: """
                    UPDATE recovery_code SET used_at = ?
                    WHERE user_id = ? AND digest = ? AND key_id = ? AND used_at IS NULL
                    """, arguments: [at.secondsSinceEpoch, userID.rawValue, Data(digest.bytes),
                                     Int64(digest.keyID.rawValue)])
                if db.changesCount == 1 {
                    try db.execute(sql: """
                        UPDATE factor SET last_used_at = ? WHERE user_id = ? AND kind = 'recovery_code'
                        """, arguments: [at.secondsSinceEpoch, userID.rawValue])
                    return true
                }
            }
            return false
        }
    }

    public func recoveryCodesLeft(of userID: UserID) throws -> Int {
        try database.reentrantRead { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM recovery_code WHERE user_id = ? AND used_at IS NULL",
                             arguments: [userID.rawValue]) ?? 0
        }
    }

    // MARK: challenges

    public func createChallenge(_ challenge: FactorChallenge) throws {
        let reset = challenge.pendingReset
        let json = try StoreColumns.json(StoredFactorChallenge(challenge))
        try database.write { db in
            try db.execute(sql: """
                INSERT INTO factor_challenge (id, user_id, challenge, state, expires_at,
                                              reset_digest, reset_hash, reset_key_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [
                    challenge.id.rawValue, challenge.userID.rawValue, json, challenge.state.rawValue,
                    challenge.expiresAt.secondsSinceEpoch, reset.map { Data($0.tokenDigest) },
                    reset.map { Data($0.passwordHash.bytes) }, reset.map { Int64($0.passwordHash.keyID.rawValue) },
                ])
        }
    }

    public func challenge(id: ChallengeID) throws -> FactorChallenge? {
        let row = try database.reentrantRead { db in
            // Cached: every VerifyChallenge looks here first, an SMS one twice (TOTP, recovery code).
            try Row.fetchOne(db.cachedStatement(sql: """
                SELECT challenge, reset_digest, reset_hash, reset_key_id FROM factor_challenge WHERE id = ?
                """), arguments: [id.rawValue])
        }
        guard let row else { return nil }
        let stored = try StoreColumns.decodeJSON(StoredFactorChallenge.self, row["challenge"],
                                                 table: "factor_challenge", row: id.rawValue)
        var reset: PendingPasswordReset?
        if let digest = row["reset_digest"] as Data?, let hash = row["reset_hash"] as Data?,
           let keyID = row["reset_key_id"] as Int64? {
            reset = PendingPasswordReset(
                tokenDigest: StoreColumns.bytes(digest),
                passwordHash: SealedSecret(bytes: StoreColumns.bytes(hash),
                                           keyID: try StoreColumns.keyID(keyID, table: "factor_challenge",
                                                                         column: "reset_key_id", row: id.rawValue)))
        }
        return stored.challenge(pendingReset: reset)
    }

    public func updateChallenge(_ challenge: FactorChallenge) throws -> Bool {
        let json = try StoreColumns.json(StoredFactorChallenge(challenge))
        return try database.write { db in
            try db.execute(sql: """
                UPDATE factor_challenge SET challenge = ?, state = ? WHERE id = ? AND state = 'pending'
                """, arguments: [json, challenge.state.rawValue, challenge.id.rawValue])
            return db.changesCount == 1
        }
    }

    @discardableResult
    public func purgeChallenges(now: Instant) throws -> Int {
        try database.write { db in
            try db.execute(sql: "DELETE FROM factor_challenge WHERE state != 'pending' OR expires_at <= ?",
                           arguments: [now.secondsSinceEpoch])
            return db.changesCount
        }
    }

    // MARK: rows

    private static func arguments(_ f: FactorRecord) -> StatementArguments {
        [f.id.rawValue, f.userID.rawValue, f.kind.rawValue, f.label, f.state.rawValue, f.createdAt.secondsSinceEpoch,
         f.lastUsedAt?.secondsSinceEpoch, f.secret.map { Data($0.bytes) }, f.secret.map { Int64($0.keyID.rawValue) },
         f.lastStep]
    }

    private static func record(from row: Row) throws -> FactorRecord {
        let id: String = row["id"]
        guard let kind = FactorKind(rawValue: row["kind"]), let state = FactorState(rawValue: row["state"]) else {
            throw RiegelStoreError.corruptRecord(table: "factor", detail: "kind or state of \(id) is unknown")
        }
        var secret: SealedSecret?
        if let bytes = row["secret"] as Data?, let keyID = row["secret_key_id"] as Int64? {
            secret = SealedSecret(bytes: StoreColumns.bytes(bytes),
                                  keyID: try StoreColumns.keyID(keyID, table: "factor", column: "secret_key_id", row: id))
        }
        return FactorRecord(id: FactorID(rawValue: id), userID: UserID(rawValue: row["user_id"]), kind: kind,
                            label: row["label"], state: state, createdAt: Instant(secondsSinceEpoch: row["created_at"]),
                            lastUsedAt: StoreColumns.instant(row["last_used_at"]), secret: secret,
                            lastStep: row["last_step"])
    }
}

