import Foundation
import GRDB
import RiegelCore

/// The ``ResetTokenStore`` on SQLite: table `reset_token` of migration `v2-accounts`.
///
/// A token is valid while `now < expires_at` and unused; ``consume(digest:now:)``
/// is one `UPDATE … RETURNING`, so two racing consumers cannot both win.
public final class SQLiteResetTokenStore: ResetTokenStore {
    private let database: RiegelDatabase

    /// A store on `database`.
    public init(database: RiegelDatabase) {
        self.database = database
    }

    /// Stores the digest; throws if the digest exists or the user does not.
    public func create(digest: [UInt8], userID: UserID, createdAt: Instant, expiresAt: Instant) throws {
        try database.write { db in
            try db.execute(sql: """
                INSERT INTO reset_token (digest, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)
                """, arguments: [Data(digest), userID.rawValue, createdAt.secondsSinceEpoch,
                                 expiresAt.secondsSinceEpoch])
        }
    }

    public func user(forDigest digest: [UInt8], now: Instant) throws -> UserID? {
        try database.writer.read { db in
            try String.fetchOne(db, sql: """
                SELECT user_id FROM reset_token WHERE digest = ? AND used_at IS NULL AND expires_at > ?
                """, arguments: [Data(digest), now.secondsSinceEpoch])
        }.map(UserID.init(rawValue:))
    }

    public func consume(digest: [UInt8], now: Instant) throws -> UserID? {
        try database.write { db in
            try String.fetchAll(db, sql: """
                UPDATE reset_token SET used_at = ?
                WHERE digest = ? AND used_at IS NULL AND expires_at > ?
                RETURNING user_id
                """, arguments: [now.secondsSinceEpoch, Data(digest), now.secondsSinceEpoch]).first
        }.map(UserID.init(rawValue:))
    }

    public func removeAll(for userID: UserID) throws {
        try database.write { db in
            try db.execute(sql: "DELETE FROM reset_token WHERE user_id = ?", arguments: [userID.rawValue])
        }
    }
}
