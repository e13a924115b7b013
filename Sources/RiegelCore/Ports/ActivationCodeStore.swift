/// Persists activation codes as keyed digests.
public protocol ActivationCodeStore: Sendable {
    /// Stores a new code.
    func create(_ record: ActivationCodeRecord) throws
    /// Marks redeemed, atomically, the unexpired and unredeemed code of
    /// `userID` whose digest is one of `candidates` (one per usable `otp` key);
    /// returns its record, or nil.
    func redeem(userID: UserID, candidates: [KeyedDigest], now: Instant) throws -> ActivationCodeRecord?
    /// Unexpired, unredeemed codes whose digest uses `keyID` (an `otp` key stays in use while any exist).
    func countLive(keyID: KeyID, now: Instant) throws -> Int
}
