import RiegelCore

/// Makes bearer tokens: 256 random bits as base64url without padding (43 characters).
///
/// - Important: give it ``SystemRandom`` in production.
public struct SecureTokenGenerator: TokenGenerator {
    /// Bytes of randomness per token.
    public static let byteCount = 32
    private let random: any RandomSource

    /// A generator drawing from `random`.
    public init(random: any RandomSource) {
        self.random = random
    }

    /// 32 fresh random bytes as base64url without padding.
    public func newToken() -> String {
        Base64URL.encode(random.bytes(Self.byteCount))
    }
}
