import Crypto
import RiegelCore

/// The stored form of bearer tokens: SHA-256 of the token's UTF-8 bytes.
public struct SHA256TokenDigester: TokenDigester {
    /// A digester.
    public init() {}

    /// SHA-256 of the token's UTF-8 bytes.
    public func digest(ofToken token: String) -> [UInt8] {
        Array(SHA256.hash(data: Array(token.utf8)))
    }
}
