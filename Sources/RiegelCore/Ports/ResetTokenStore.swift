/// Persists password-reset tokens as SHA-256 digests.
///
/// - Important: only digests are stored; a token is usable once.
public protocol ResetTokenStore: Sendable {
    /// Stores a token digest for `userID`, valid until `expiresAt`.
    func create(digest: [UInt8], userID: UserID, createdAt: Instant, expiresAt: Instant) throws
    /// The user of an unexpired, unused token with this digest, without using it.
    func user(forDigest digest: [UInt8], now: Instant) throws -> UserID?
    /// Marks the token used and returns its user, atomically; nil if it is
    /// unknown, expired or already used.
    func consume(digest: [UInt8], now: Instant) throws -> UserID?
    /// Removes every token of `userID` (after a completed reset or deletion).
    func removeAll(for userID: UserID) throws
}
