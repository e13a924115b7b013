/// A seal on the chain: the chain hash at `seq` and a ``CheckpointSeal`` (an
/// Ed25519 signature under the `audit` key) over both. Written every N
/// entries, on demand, as the anchor of a pruned trail, and at both ends of
/// an export.
///
/// - Important: SHA-256 alone is unkeyed, so whoever can write the database
///   could recompute a rewritten chain; the seal, made with a key the
///   database does not hold in the clear, pins every entry up to `seq`.
public struct AuditCheckpoint: Sendable, Hashable {
    /// The entry sealed (0 with the genesis hash: before the first entry).
    public var seq: Int64
    /// That entry's chain hash.
    public var hash: [UInt8]
    /// The signature (or legacy MAC) of ``AuditChain/checkpointMessage(seq:hash:)``.
    public var seal: CheckpointSeal

    /// A checkpoint.
    public init(seq: Int64, hash: [UInt8], seal: CheckpointSeal) {
        self.seq = seq
        self.hash = hash
        self.seal = seal
    }

    /// The message its seal is made over.
    public var message: [UInt8] { AuditChain.checkpointMessage(seq: seq, hash: hash) }
}
