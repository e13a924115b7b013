/// HMAC-SHA1 with a raw key: the primitive of HOTP/TOTP (RFC 4226, 6238).
/// Production: swift-crypto (`RiegelCrypto.SwiftCryptoOneTimePasswordMAC`).
public protocol OneTimePasswordMAC: Sendable {
    /// The 20-byte HMAC-SHA1 of `message` under `key`.
    func hmacSHA1(key: [UInt8], message: [UInt8]) -> [UInt8]
}
