import RiegelCore

/// A ``OneTimePasswordMAC`` for tests without swift-crypto: HMAC-SHA256
/// (``SoftwareSHA256``) cut to 20 bytes. Not HMAC-SHA1, so its codes are
/// not an app's; service tests compute expected codes through it with
/// ``TOTP/code(secret:step:digits:mac:)``. The RFC 6238 vectors run against
/// RiegelCrypto's real MAC.
public struct FakeOneTimePasswordMAC: OneTimePasswordMAC {
    /// The MAC.
    public init() {}

    public func hmacSHA1(key: [UInt8], message: [UInt8]) -> [UInt8] {
        let sha = SoftwareSHA256()
        var k = key.count > 64 ? sha.sha256(key) : key
        k += [UInt8](repeating: 0, count: 64 - k.count)
        let inner = sha.sha256(k.map { $0 ^ 0x36 } + message)
        return Array(sha.sha256(k.map { $0 ^ 0x5c } + inner).prefix(20))
    }
}
