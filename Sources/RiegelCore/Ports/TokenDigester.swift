/// The stored form of a bearer token (session, device, reset): its SHA-256.
///
/// - Important: tokens are 256 random bits, so an unsalted digest cannot be
///   reversed; only digests are stored and used as lookup keys.
public protocol TokenDigester: Sendable {
    /// The 32-byte SHA-256 digest of the token's UTF-8 bytes.
    func digest(ofToken token: String) -> [UInt8]

    /// Calls `body` with the bytes ``digest(ofToken:)`` returns, for lookups on a
    /// hot path; an implementation may hand them over without making an array.
    func withDigest<R>(ofToken token: String, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

extension TokenDigester {
    /// Hands over the bytes of ``digest(ofToken:)``.
    public func withDigest<R>(ofToken token: String, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try digest(ofToken: token).withUnsafeBytes(body)
    }
}
