/// Persists the nonces of `BeginDeviceLogin` until `FinishDeviceLogin` uses
/// them. Keyed by the nonce's SHA-256 digest, bound to a device id.
///
/// The device id is a plain value, not a reference: a nonce is issued for any
/// well-formed id, known or not, so the answer does not tell them apart.
public protocol DeviceNonceStore: Sendable {
    /// Stores a nonce digest for `deviceID` until `expiresAt`; throws on a duplicate digest.
    func create(digest: [UInt8], deviceID: DeviceID, expiresAt: Instant) throws
    /// Removes the nonce with this digest if it was issued for `deviceID`
    /// and returns its expiry (the caller decides whether it is still valid);
    /// nil if there is none. Single use: a second call finds nothing.
    func consume(digest: [UInt8], deviceID: DeviceID) throws -> Instant?
    /// Deletes nonces whose expiry is before `cutoff`; returns how many.
    @discardableResult
    func deleteExpired(before cutoff: Instant) throws -> Int
}
