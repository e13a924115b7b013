import RiegelCore

/// The ``DeviceNonceStore`` on PostgreSQL: table `device_nonce` of
/// `pg-2-sessions` (SHA-256 digests of nonces). ``consume(digest:deviceID:)``
/// is one `DELETE … RETURNING`: single use across every instance.
public final class PostgresDeviceNonceStore: DeviceNonceStore {
    private let database: PostgresDatabase

    /// A store on `database`.
    public init(database: PostgresDatabase) {
        self.database = database
    }

    public func create(digest: [UInt8], deviceID: DeviceID, expiresAt: Instant) throws {
        try database.withSession { db in
            try db.execute("INSERT INTO device_nonce (digest, device_id, expires_at) VALUES ($1, $2, $3)",
                           [digest, deviceID.rawValue, expiresAt])
        }
    }

    public func consume(digest: [UInt8], deviceID: DeviceID) throws -> Instant? {
        try database.withSession { db in
            try db.query("DELETE FROM device_nonce WHERE digest = $1 AND device_id = $2 RETURNING expires_at",
                         [digest, deviceID.rawValue]).first.map { try $0.instant("expires_at", table: "device_nonce") }
        }
    }

    @discardableResult
    public func deleteExpired(before cutoff: Instant) throws -> Int {
        try database.withSession { db in try db.execute("DELETE FROM device_nonce WHERE expires_at < $1", [cutoff]) }
    }
}
