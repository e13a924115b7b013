import Crypto
import RiegelCore

/// The stored form of bearer tokens: SHA-256 of the token's UTF-8 bytes.
public struct SHA256TokenDigester: TokenDigester {
    /// A digester.
    public init() {}

    /// SHA-256 of the token's UTF-8 bytes.
    public func digest(ofToken token: String) -> [UInt8] {
        withDigest(ofToken: token) { Array($0) }
    }

    /// SHA-256 of the token's UTF-8 bytes, hashed from the string's own storage
    /// and handed over from the digest value (no intermediate arrays).
    public func withDigest<R>(ofToken token: String, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var token = token
        let digest = token.withUTF8 { utf8 in
            var hasher = SHA256()
            hasher.update(bufferPointer: UnsafeRawBufferPointer(utf8))
            return hasher.finalize()
        }
        return try digest.withUnsafeBytes(body)
    }
}
