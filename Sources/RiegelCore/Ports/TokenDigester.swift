/// The stored form of a bearer token (session, device, reset): its SHA-256.
///
/// - Important: tokens are 256 random bits, so an unsalted digest cannot be
///   reversed; only digests are stored and used as lookup keys.
public protocol TokenDigester: Sendable {
    /// The 32-byte SHA-256 digest of the token's UTF-8 bytes.
    func digest(ofToken token: String) -> [UInt8]
}
