import RiegelCore

/// A ``DeviceStore`` in memory, with the SQLite store's rules: ids and
/// current token digests are unique, a lookup by digest also finds retained
/// previous digests, lists are oldest first (then by id), rotation is a
/// compare-and-swap on the presented digest.
public final class InMemoryDeviceStore: DeviceStore, Sendable {
    private let data: InMemoryStoreData

    /// A store on `data` (by default its own, empty).
    public init(data: InMemoryStoreData = InMemoryStoreData()) {
        self.data = data
    }

    public func create(_ device: DeviceRecord) throws {
        try data.tables.withLock { tables in
            if tables.devices[device.id] != nil { throw InMemoryStoreError.duplicate("device.id") }
            if let digest = device.tokenDigest, tables.devices.values.contains(where: { $0.tokenDigest == digest }) {
                throw InMemoryStoreError.duplicate("device.token_digest")
            }
            tables.devices[device.id] = device
        }
    }

    public func device(id: DeviceID) throws -> DeviceRecord? {
        data.tables.withLock { $0.devices[id] }
    }

    public func device(tokenDigest: [UInt8]) throws -> DeviceRecord? {
        data.tables.withLock { tables in
            tables.devices.values.first { $0.tokenDigest == tokenDigest }
                ?? tables.devices.values.first { $0.previousTokenDigests.contains(tokenDigest) }
        }
    }

    public func devices(of userID: UserID) throws -> [DeviceRecord] {
        data.tables.withLock { tables in
            tables.devices.values.filter { $0.userID == userID && $0.revokedAt == nil }
                .sorted { ($0.createdAt, $0.id.rawValue) < ($1.createdAt, $1.id.rawValue) }
        }
    }

    public func rotate(_ device: DeviceRecord, from previousDigest: [UInt8]) throws -> Bool {
        data.tables.withLock { tables in
            guard let stored = tables.devices[device.id], stored.revokedAt == nil,
                  stored.tokenDigest == previousDigest else { return false }
            tables.devices[device.id] = Self.copy(stored, tokenDigest: device.tokenDigest,
                                                  previous: device.previousTokenDigests,
                                                  lastUsedAt: device.lastUsedAt, expiresAt: device.expiresAt)
            return true
        }
    }

    public func recordUse(id: DeviceID, at: Instant, expiresAt: Instant) throws {
        data.tables.withLock { tables in
            guard let stored = tables.devices[id], stored.revokedAt == nil else { return }
            tables.devices[id] = Self.copy(stored, tokenDigest: stored.tokenDigest,
                                           previous: stored.previousTokenDigests, lastUsedAt: at, expiresAt: expiresAt)
        }
    }

    @discardableResult
    public func revoke(id: DeviceID, reason: String, at: Instant) throws -> Bool {
        data.tables.withLock { tables in tables.devices[id]?.revoke(reason: reason, at: at) ?? false }
    }

    @discardableResult
    public func revokeAll(of userID: UserID, reason: String, at: Instant) throws -> [DeviceID] {
        data.tables.withLock { tables in
            var revoked: [DeviceID] = []
            for (id, device) in tables.devices where device.userID == userID && device.revokedAt == nil {
                tables.devices[id]?.revoke(reason: reason, at: at)
                revoked.append(id)
            }
            return revoked.sorted { $0.rawValue < $1.rawValue }
        }
    }

    @discardableResult
    public func deleteExpired(before cutoff: Instant) throws -> Int {
        data.tables.withLock { tables in
            let before = tables.devices.count
            tables.devices = tables.devices.filter { !($0.value.expiresAt < cutoff) }
            return before - tables.devices.count
        }
    }

    private static func copy(_ d: DeviceRecord, tokenDigest: [UInt8]?, previous: [[UInt8]], lastUsedAt: Instant?,
                             expiresAt: Instant) -> DeviceRecord {
        DeviceRecord(id: d.id, userID: d.userID, kind: d.kind, label: d.label, createdAt: d.createdAt,
                     lastUsedAt: lastUsedAt, expiresAt: expiresAt, tokenDigest: tokenDigest,
                     previousTokenDigests: previous, publicKey: d.publicKey, revokedAt: d.revokedAt,
                     revokeReason: d.revokeReason, enrolledBySession: d.enrolledBySession,
                     enrolledFromDevice: d.enrolledFromDevice)
    }
}
