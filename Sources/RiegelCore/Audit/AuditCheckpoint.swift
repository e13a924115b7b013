/// A keyed seal on the chain: the chain hash at `seq` and an HMAC (``KeyPurpose/audit``
/// key) over both. Written every N entries and on demand.
///
/// - Important: SHA-256 alone is unkeyed, so whoever can write the database
///   could recompute a rewritten chain; the MAC, made with a key the database
///   does not hold in the clear, pins every entry up to `seq`.
public struct AuditCheckpoint: Sendable, Hashable {
    /// The entry sealed.
    public var seq: Int64
    /// That entry's chain hash.
    public var hash: [UInt8]
    /// HMAC of ``AuditChain/checkpointMessage(seq:hash:)``, with the id of its key.
    public var mac: KeyedDigest

    /// A checkpoint.
    public init(seq: Int64, hash: [UInt8], mac: KeyedDigest) {
        self.seq = seq
        self.hash = hash
        self.mac = mac
    }
}
