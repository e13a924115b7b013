import Foundation
import GRDB
import RiegelCore

/// The ``ActivationCodeStore`` on SQLite: table `activation_code` of migration `v2-accounts`.
///
/// A code is live while `now < expires_at` and unredeemed. A candidate
/// matches on both digest bytes and key id. ``redeem(userID:candidates:now:)``
/// runs in one write transaction, one `UPDATE … RETURNING` per candidate.
public final class SQLiteActivationCodeStore: ActivationCodeStore {
    private let database: RiegelDatabase

    /// A store on `database`.
    public init(database: RiegelDatabase) {
        self.database = database
    }

    /// Stores the record; throws if the digest exists or the user does not.
    public func create(_ record: ActivationCodeRecord) throws {
        try database.write { db in
            try db.execute(sql: """
                INSERT INTO activation_code (digest, key_id, user_id, subject, created_at, expires_at, redeemed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [Data(record.digest.bytes), Int64(record.digest.keyID.rawValue),
                                 record.userID.rawValue, record.subject, record.createdAt.secondsSinceEpoch,
                                 record.expiresAt.secondsSinceEpoch, record.redeemedAt?.secondsSinceEpoch])
        }
    }

    public func redeem(userID: UserID, candidates: [KeyedDigest], now: Instant) throws -> ActivationCodeRecord? {
        guard !candidates.isEmpty else { return nil }
        return try database.write { db in
            for candidate in candidates {
                let row = try Row.fetchAll(db, sql: """
                    UPDATE activation_code SET redeemed_at = ?
                    WHERE digest = ? AND key_id = ? AND user_id = ? AND redeemed_at IS NULL AND expires_at > ?
                    RETURNING digest, key_id, user_id, subject, created_at, expires_at, redeemed_at
                    """, arguments: [now.secondsSinceEpoch, Data(candidate.bytes), Int64(candidate.keyID.rawValue),
                                     userID.rawValue, now.secondsSinceEpoch]).first
                if let row { return try Self.record(from: row) }
            }
            return nil
        }
    }

    public func countLive(keyID: KeyID, now: Instant) throws -> Int {
        try database.writer.read { db in
            try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM activation_code
                WHERE key_id = ? AND redeemed_at IS NULL AND expires_at > ?
                """, arguments: [Int64(keyID.rawValue), now.secondsSinceEpoch]) ?? 0
        }
    }

    private static func record(from row: Row) throws -> ActivationCodeRecord {
        let userID: String = row["user_id"]
        let keyID = try StoreColumns.keyID(row["key_id"], table: "activation_code", column: "key_id",
                                           row: "a code of \(userID)")
        return ActivationCodeRecord(digest: KeyedDigest(bytes: StoreColumns.bytes(row["digest"]), keyID: keyID),
                                    userID: UserID(rawValue: userID), subject: row["subject"],
                                    createdAt: Instant(secondsSinceEpoch: row["created_at"]),
                                    expiresAt: Instant(secondsSinceEpoch: row["expires_at"]),
                                    redeemedAt: StoreColumns.instant(row["redeemed_at"]))
    }
}
