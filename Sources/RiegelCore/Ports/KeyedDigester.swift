/// HMAC-SHA256 under the keys of a purpose: digests of SMS and activation
/// codes (`otp`), blind indexes for lookups of encrypted values (`pii`).
///
/// - Important: bind the context into `message` (e.g. challenge id and code),
///   and compare only through ``matches(_:digest:purpose:)``, which is constant-time.
public protocol KeyedDigester: Sendable {
    /// The digest of `message` under the active key of `purpose`.
    func digest(_ message: [UInt8], purpose: KeyPurpose) -> KeyedDigest
    /// Whether `digest` is the digest of `message` under the key it names
    /// (false if that key is unknown, retired or of another purpose).
    func matches(_ message: [UInt8], digest: KeyedDigest, purpose: KeyPurpose) -> Bool
    /// The digests of `message` under every usable key of `purpose`, active
    /// first: blind-index lookups that must also find rows not yet re-indexed.
    func allDigests(_ message: [UInt8], purpose: KeyPurpose) -> [KeyedDigest]
}
