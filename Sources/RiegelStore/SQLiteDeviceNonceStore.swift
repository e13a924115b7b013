import Foundation
import GRDB
import RiegelCore

/// The ``DeviceNonceStore`` on SQLite: table `device_nonce` of migration
/// `v7-devices`. ``consume(digest:deviceID:)`` is one `DELETE … RETURNING`,
/// so two racing finishes cannot both use a nonce.
public final class SQLiteDeviceNonceStore: DeviceNonceStore {
    private let database: RiegelDatabase

    /// A store on `database`.
    public init(database: RiegelDatabase) {
        self.database = database
    }

    public func create(digest: [UInt8], deviceID: DeviceID, expiresAt: Instant) throws {
        try database.write { db in
            try db.execute(sql: "INSERT INTO device_nonce (digest, device_id, expires_at) VALUES (?, ?, ?)",
                           arguments: [Data(digest), deviceID.rawValue, expiresAt.secondsSinceEpoch])
        }
    }

    public func consume(digest: [UInt8], deviceID: DeviceID) throws -> Instant? {
        try database.write { db in
            try Double.fetchAll(db, sql: """
                DELETE FROM device_nonce WHERE digest = ? AND device_id = ? RETURNING expires_at
                """, arguments: [Data(digest), deviceID.rawValue]).first
        }.map(Instant.init(secondsSinceEpoch:))
    }

    @discardableResult
    public func deleteExpired(before cutoff: Instant) throws -> Int {
        try database.write { db in
            try db.execute(sql: "DELETE FROM device_nonce WHERE expires_at < ?", arguments: [cutoff.secondsSinceEpoch])
            return db.changesCount
        }
    }
}
