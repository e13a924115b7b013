/// Persists trusted devices (browsers and app keys). Every write is committed
/// before it returns.
///
/// - Important: only token digests are stored (current and retained previous
///   ones), never a token. Devices go with their account.
public protocol DeviceStore: Sendable {
    /// Adds a device; throws if its id or a token digest already exists.
    func create(_ device: DeviceRecord) throws
    /// The device with this id (revoked ones included).
    func device(id: DeviceID) throws -> DeviceRecord?
    /// The device whose current token digest, or one of its retained previous
    /// digests, is `tokenDigest` (revoked ones included).
    func device(tokenDigest: [UInt8]) throws -> DeviceRecord?
    /// Every unrevoked device of `userID` (expired ones included), oldest first (then by id).
    func devices(of userID: UserID) throws -> [DeviceRecord]
    /// Stores a rotation: `device`'s current and previous digests and last use,
    /// only if the stored current digest is still `previousDigest` and the
    /// device is unrevoked (compare-and-swap, so two logins with one token
    /// cannot both rotate it). Returns whether it was stored.
    func rotate(_ device: DeviceRecord, from previousDigest: [UInt8]) throws -> Bool
    /// Sets the last use and expiry of an unrevoked device (an app key's login).
    func recordUse(id: DeviceID, at: Instant, expiresAt: Instant) throws
    /// Revokes one device; false if it was unknown or already revoked.
    @discardableResult
    func revoke(id: DeviceID, reason: String, at: Instant) throws -> Bool
    /// Revokes every unrevoked device of `userID`; returns their ids.
    @discardableResult
    func revokeAll(of userID: UserID, reason: String, at: Instant) throws -> [DeviceID]
    /// Deletes devices (revoked or not) whose expiry is before `cutoff`, with
    /// their retained digests; returns how many.
    @discardableResult
    func deleteExpired(before cutoff: Instant) throws -> Int
}
