import PostgresNIO
import RiegelCore

/// The ``DeviceStore`` on PostgreSQL: tables `device` and
/// `device_token_history` of `pg-2-sessions`. Only token digests are stored;
/// a rotation is a compare-and-swap on the current digest, so two logins
/// with one token on two instances cannot both rotate it.
public final class PostgresDeviceStore: DeviceStore {
    private let database: PostgresDatabase

    /// A store on `database`.
    public init(database: PostgresDatabase) {
        self.database = database
    }

    private static let columns = """
        id, user_id, kind, label, created_at, last_used_at, expires_at, token_digest, public_key,
        revoked_at, revoke_reason, enrolled_by_session, enrolled_from_device
        """

    public func create(_ device: DeviceRecord) throws {
        try database.transaction { db in
            try db.execute("""
                INSERT INTO device (\(Self.columns)) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                """, [
                    device.id.rawValue, device.userID, device.kind.rawValue, device.label, device.createdAt,
                    device.lastUsedAt, device.expiresAt, device.tokenDigest, device.publicKey, device.revokedAt,
                    device.revokeReason, device.enrolledBySession, device.enrolledFromDevice?.rawValue,
                ])
            try Self.writeHistory(db, device)
        }
    }

    public func device(id: DeviceID) throws -> DeviceRecord? {
        try database.withSession { db in
            try db.query("SELECT \(Self.columns) FROM device WHERE id = $1", [id.rawValue]).first
                .map { try Self.record(from: $0, db) }
        }
    }

    public func device(tokenDigest: [UInt8]) throws -> DeviceRecord? {
        try database.withSession { db in
            let row = try db.query("SELECT \(Self.columns) FROM device WHERE token_digest = $1", [tokenDigest]).first
                ?? db.query("""
                    SELECT \(Self.columns) FROM device
                    WHERE id = (SELECT device_id FROM device_token_history WHERE digest = $1)
                    """, [tokenDigest]).first
            return try row.map { try Self.record(from: $0, db) }
        }
    }

    public func devices(of userID: UserID) throws -> [DeviceRecord] {
        try database.withSession { db in
            try db.query("""
                SELECT \(Self.columns) FROM device WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at, id
                """, [userID]).map { try Self.record(from: $0, db) }
        }
    }

    public func rotate(_ device: DeviceRecord, from previousDigest: [UInt8]) throws -> Bool {
        try database.transaction { db in
            let changed = try db.execute("""
                UPDATE device SET token_digest = $1, last_used_at = $2, expires_at = $3
                WHERE id = $4 AND token_digest = $5 AND revoked_at IS NULL
                """, [device.tokenDigest, device.lastUsedAt, device.expiresAt, device.id.rawValue, previousDigest])
            guard changed > 0 else { return false }
            try Self.writeHistory(db, device)
            return true
        }
    }

    public func recordUse(id: DeviceID, at: Instant, expiresAt: Instant) throws {
        try database.withSession { db in
            try db.execute("UPDATE device SET last_used_at = $1, expires_at = $2 WHERE id = $3 AND revoked_at IS NULL",
                           [at, expiresAt, id.rawValue])
        }
    }

    @discardableResult
    public func revoke(id: DeviceID, reason: String, at: Instant) throws -> Bool {
        try database.withSession { db in
            try db.execute("UPDATE device SET revoked_at = $1, revoke_reason = $2 WHERE id = $3 AND revoked_at IS NULL",
                           [at, reason, id.rawValue]) > 0
        }
    }

    @discardableResult
    public func revokeAll(of userID: UserID, reason: String, at: Instant) throws -> [DeviceID] {
        try database.withSession { db in
            try db.query("""
                UPDATE device SET revoked_at = $1, revoke_reason = $2 WHERE user_id = $3 AND revoked_at IS NULL
                RETURNING id
                """, [at, reason, userID]).map { try $0.text("id", table: "device") }
        }.sorted().map(DeviceID.init(rawValue:))
    }

    @discardableResult
    public func deleteExpired(before cutoff: Instant) throws -> Int {
        try database.withSession { db in try db.execute("DELETE FROM device WHERE expires_at < $1", [cutoff]) }
    }

    /// Keeps exactly `device.previousTokenDigests` as its history, newest with the highest `seq`.
    private static func writeHistory(_ db: PostgresSession, _ device: DeviceRecord) throws {
        for digest in device.previousTokenDigests.reversed() {
            try db.execute("""
                INSERT INTO device_token_history (digest, device_id) VALUES ($1, $2) ON CONFLICT (digest) DO NOTHING
                """, [digest, device.id.rawValue])
        }
        var binds: [any SQLBindable] = [device.id.rawValue]
        let placeholders = device.previousTokenDigests.map { digest -> String in
            binds.append(digest)
            return "$\(binds.count)"
        }
        try db.execute("""
            DELETE FROM device_token_history WHERE device_id = $1\
            \(placeholders.isEmpty ? "" : " AND digest NOT IN (\(placeholders.joined(separator: ", ")))")
            """, binds)
    }

    private static func record(from row: PostgresRow, _ db: PostgresSession) throws -> DeviceRecord {
        let t = "device"
        let id = try row.text("id", table: t)
        let kindText = try row.text("kind", table: t)
        guard let kind = DeviceKind(rawValue: kindText) else {
            throw PostgresStoreError.corruptRecord(table: t, detail: "\(id) has unknown kind '\(kindText)'")
        }
        let history = try db.query("SELECT digest FROM device_token_history WHERE device_id = $1 ORDER BY seq DESC",
                                   [id]).map { try $0.bytes("digest", table: "device_token_history") }
        return DeviceRecord(
            id: DeviceID(rawValue: id), userID: UserID(rawValue: try row.text("user_id", table: t)), kind: kind,
            label: try row.text("label", table: t), createdAt: try row.instant("created_at", table: t),
            lastUsedAt: try row.optionalInstant("last_used_at", table: t),
            expiresAt: try row.instant("expires_at", table: t),
            tokenDigest: try row.optionalBytes("token_digest", table: t), previousTokenDigests: history,
            publicKey: try row.optionalBytes("public_key", table: t),
            revokedAt: try row.optionalInstant("revoked_at", table: t),
            revokeReason: try row.optionalText("revoke_reason", table: t),
            enrolledBySession: try row.optionalText("enrolled_by_session", table: t).map(SessionID.init(rawValue:)),
            enrolledFromDevice: try row.optionalText("enrolled_from_device", table: t).map(DeviceID.init(rawValue:)))
    }
}
