import RiegelCore
import Synchronization

/// A ``DeviceNonceStore`` in memory: digests unique, each consumed at most once.
public final class InMemoryDeviceNonceStore: DeviceNonceStore, Sendable {
    private struct Nonce: Sendable {
        var deviceID: DeviceID
        var expiresAt: Instant
    }

    private let nonces = Mutex<[[UInt8]: Nonce]>([:])

    /// An empty store.
    public init() {}

    public func create(digest: [UInt8], deviceID: DeviceID, expiresAt: Instant) throws {
        try nonces.withLock { nonces in
            if nonces[digest] != nil { throw InMemoryStoreError.duplicate("device_nonce.digest") }
            nonces[digest] = Nonce(deviceID: deviceID, expiresAt: expiresAt)
        }
    }

    public func consume(digest: [UInt8], deviceID: DeviceID) throws -> Instant? {
        nonces.withLock { nonces in
            guard let nonce = nonces[digest], nonce.deviceID == deviceID else { return nil }
            nonces[digest] = nil
            return nonce.expiresAt
        }
    }

    @discardableResult
    public func deleteExpired(before cutoff: Instant) throws -> Int {
        nonces.withLock { nonces in
            let before = nonces.count
            nonces = nonces.filter { !($0.value.expiresAt < cutoff) }
            return before - nonces.count
        }
    }

    /// Nonces held (for tests of the sweeper).
    public var count: Int { nonces.withLock { $0.count } }
}
