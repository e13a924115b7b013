import Foundation
import GRDB
import RiegelCore

/// The ``DeviceStore`` on SQLite: tables `device` and `device_token_history`
/// of migration `v7-devices` (`enrolled_by_session`, `enrolled_from_device`
/// from `v9-credential-provenance`).
///
/// - Important: only token digests are stored. Devices (and their retained
///   digests) of a deleted account go with it (`ON DELETE CASCADE`).
/// - Note: ``rotate(_:from:)`` is one conditional `UPDATE` on the presented
///   digest in the same transaction as the history change, so two racing
///   logins with one token cannot both rotate it.
public final class SQLiteDeviceStore: DeviceStore {
    private let database: RiegelDatabase

    /// A store on `database`.
    public init(database: RiegelDatabase) {
        self.database = database
    }

    private static let columns = """
        id, user_id, kind, label, created_at, last_used_at, expires_at, token_digest, public_key,
        revoked_at, revoke_reason, enrolled_by_session, enrolled_from_device
        """

    /// Adds a device with its retained digests; throws if the id or a digest
    /// exists or the user does not.
    public func create(_ device: DeviceRecord) throws {
        try database.write { db in
            try db.execute(sql: "INSERT INTO device (\(Self.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           arguments: [
                               device.id.rawValue, device.userID.rawValue, device.kind.rawValue, device.label,
                               device.createdAt.secondsSinceEpoch, device.lastUsedAt?.secondsSinceEpoch,
                               device.expiresAt.secondsSinceEpoch, device.tokenDigest.map { Data($0) },
                               device.publicKey.map { Data($0) }, device.revokedAt?.secondsSinceEpoch,
                               device.revokeReason, device.enrolledBySession?.rawValue,
                               device.enrolledFromDevice?.rawValue,
                           ])
            try Self.writeHistory(db, device)
        }
    }

    public func device(id: DeviceID) throws -> DeviceRecord? {
        try database.writer.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT \(Self.columns) FROM device WHERE id = ?",
                                             arguments: [id.rawValue]) else { return nil }
            return try Self.record(from: row, db)
        }
    }

    public func device(tokenDigest: [UInt8]) throws -> DeviceRecord? {
        try database.writer.read { db in
            let digest = Data(tokenDigest)
            let row = try Row.fetchOne(db, sql: "SELECT \(Self.columns) FROM device WHERE token_digest = ?",
                                       arguments: [digest])
                ?? Row.fetchOne(db, sql: """
                    SELECT \(Self.columns) FROM device
                    WHERE id = (SELECT device_id FROM device_token_history WHERE digest = ?)
                    """, arguments: [digest])
            return try row.map { try Self.record(from: $0, db) }
        }
    }

    /// Every unrevoked device of `userID`, by creation time (then id).
    public func devices(of userID: UserID) throws -> [DeviceRecord] {
        try database.writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(Self.columns) FROM device WHERE user_id = ? AND revoked_at IS NULL ORDER BY created_at, id
                """, arguments: [userID.rawValue])
                .map { try Self.record(from: $0, db) }
        }
    }

    public func rotate(_ device: DeviceRecord, from previousDigest: [UInt8]) throws -> Bool {
        try database.write { db in
            try db.execute(sql: """
                UPDATE device SET token_digest = ?, last_used_at = ?, expires_at = ?
                WHERE id = ? AND token_digest = ? AND revoked_at IS NULL
                """, arguments: [device.tokenDigest.map { Data($0) }, device.lastUsedAt?.secondsSinceEpoch,
                                 device.expiresAt.secondsSinceEpoch, device.id.rawValue, Data(previousDigest)])
            guard db.changesCount > 0 else { return false }
            try Self.writeHistory(db, device)
            return true
        }
    }

    public func recordUse(id: DeviceID, at: Instant, expiresAt: Instant) throws {
        try database.write { db in
            try db.execute(sql: """
                UPDATE device SET last_used_at = ?, expires_at = ? WHERE id = ? AND revoked_at IS NULL
                """, arguments: [at.secondsSinceEpoch, expiresAt.secondsSinceEpoch, id.rawValue])
        }
    }

    @discardableResult
    public func revoke(id: DeviceID, reason: String, at: Instant) throws -> Bool {
        try database.write { db in
            try db.execute(sql: """
                UPDATE device SET revoked_at = ?, revoke_reason = ? WHERE id = ? AND revoked_at IS NULL
                """, arguments: [at.secondsSinceEpoch, reason, id.rawValue])
            return db.changesCount > 0
        }
    }

    @discardableResult
    public func revokeAll(of userID: UserID, reason: String, at: Instant) throws -> [DeviceID] {
        try database.write { db in
            try String.fetchAll(db, sql: """
                UPDATE device SET revoked_at = ?, revoke_reason = ? WHERE user_id = ? AND revoked_at IS NULL
                RETURNING id
                """, arguments: [at.secondsSinceEpoch, reason, userID.rawValue])
        }.sorted().map(DeviceID.init(rawValue:))
    }

    @discardableResult
    public func deleteExpired(before cutoff: Instant) throws -> Int {
        try database.write { db in
            try db.execute(sql: "DELETE FROM device WHERE expires_at < ?", arguments: [cutoff.secondsSinceEpoch])
            return db.changesCount
        }
    }

    /// Makes the stored history of `device` exactly its ``DeviceRecord/previousTokenDigests``
    /// (newest = highest rowid).
    private static func writeHistory(_ db: Database, _ device: DeviceRecord) throws {
        let insert = try db.cachedStatement(sql: """
            INSERT INTO device_token_history (digest, device_id) VALUES (?, ?) ON CONFLICT (digest) DO NOTHING
            """)
        for digest in device.previousTokenDigests.reversed() {
            try insert.execute(arguments: [Data(digest), device.id.rawValue])
        }
        let kept = device.previousTokenDigests.map { Data($0) }
        let placeholders = Array(repeating: "?", count: kept.count).joined(separator: ", ")
        try db.execute(sql: """
            DELETE FROM device_token_history WHERE device_id = ?\(kept.isEmpty ? "" : " AND digest NOT IN (\(placeholders))")
            """, arguments: StatementArguments([device.id.rawValue as (any DatabaseValueConvertible)] + kept))
    }

    private static func record(from row: Row, _ db: Database) throws -> DeviceRecord {
        let id: String = row["id"]
        let kindText: String = row["kind"]
        guard let kind = DeviceKind(rawValue: kindText) else {
            throw RiegelStoreError.corruptRecord(table: "device", detail: "\(id) has unknown kind '\(kindText)'")
        }
        let history = try Data.fetchAll(db, sql: """
            SELECT digest FROM device_token_history WHERE device_id = ? ORDER BY rowid DESC
            """, arguments: [id]).map(StoreColumns.bytes)
        return DeviceRecord(
            id: DeviceID(rawValue: id), userID: UserID(rawValue: row["user_id"]), kind: kind, label: row["label"],
            createdAt: Instant(secondsSinceEpoch: row["created_at"]),
            lastUsedAt: StoreColumns.instant(row["last_used_at"]),
            expiresAt: Instant(secondsSinceEpoch: row["expires_at"]),
            tokenDigest: (row["token_digest"] as Data?).map(StoreColumns.bytes), previousTokenDigests: history,
            publicKey: (row["public_key"] as Data?).map(StoreColumns.bytes),
            revokedAt: StoreColumns.instant(row["revoked_at"]), revokeReason: row["revoke_reason"],
            enrolledBySession: (row["enrolled_by_session"] as String?).map(SessionID.init(rawValue:)),
            enrolledFromDevice: (row["enrolled_from_device"] as String?).map(DeviceID.init(rawValue:)))
    }
}
