import Crypto
import RiegelCore

/// SHA-256 for the audit hash chain, from swift-crypto: the ``AuditHasher``
/// the daemon uses.
public struct SHA256AuditHasher: AuditHasher {
    /// A hasher.
    public init() {}

    /// The 32-byte SHA-256 digest of `bytes`.
    public func sha256(_ bytes: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: bytes))
    }
}
