/// A ``StaleSecret`` and its replacement under the active key.
///
/// - Important: stores write the replacement only while the stored value is
///   still exactly `stale` (compare and set): a password or phone changed
///   meanwhile is already under the active key and must not be undone.
public struct RewrappedSecret: Sendable, Hashable {
    /// What the re-wrap read.
    public var stale: StaleSecret
    /// The new ciphertext (password hash, e-mail, phone); nil for a checkpoint.
    public var sealed: SealedSecret?
    /// The new blind index (e-mail, phone).
    public var digest: KeyedDigest?
    /// The new signature of a checkpoint or of the anchor.
    public var seal: CheckpointSeal?

    /// A replacement.
    public init(stale: StaleSecret, sealed: SealedSecret? = nil, digest: KeyedDigest? = nil, seal: CheckpointSeal? = nil) {
        self.stale = stale
        self.sealed = sealed
        self.digest = digest
        self.seal = seal
    }
}
