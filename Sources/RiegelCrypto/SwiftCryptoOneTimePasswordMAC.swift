import Crypto
import RiegelCore

/// The ``OneTimePasswordMAC`` of TOTP/HOTP: swift-crypto's HMAC over
/// `Insecure.SHA1` (SHA-1 is what RFC 6238 and every authenticator app use;
/// HMAC-SHA1 stays sound as a MAC).
public struct SwiftCryptoOneTimePasswordMAC: OneTimePasswordMAC {
    /// The MAC.
    public init() {}

    public func hmacSHA1(key: [UInt8], message: [UInt8]) -> [UInt8] {
        Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }
}
