/// SHA-256 for the audit hash chain. Core computes the chain
/// (``AuditChain``) but does no cryptography of its own, so the digest
/// function comes in through this port: production passes RiegelCrypto's
/// `SHA256AuditHasher` (swift-crypto); tests may use RiegelTesting's
/// `SoftwareSHA256`, checked against the same test vectors.
public protocol AuditHasher: Sendable {
    /// The 32-byte SHA-256 digest of `bytes`.
    func sha256(_ bytes: [UInt8]) -> [UInt8]
}
