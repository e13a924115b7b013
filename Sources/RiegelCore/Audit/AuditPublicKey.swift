/// The public half of an `audit` key: what `riegelctl audit public-key`
/// prints and an offline verifier checks signed checkpoints with.
public struct AuditPublicKey: Sendable, Hashable {
    /// The `audit` data key it belongs to.
    public var keyID: KeyID
    /// Whether new checkpoints are signed with it.
    public var active: Bool
    /// The raw 32-byte Ed25519 public key.
    public var raw: [UInt8]
    /// The same key as PEM (SubjectPublicKeyInfo), for files and other tools.
    public var pem: String

    /// A public key.
    public init(keyID: KeyID, active: Bool, raw: [UInt8], pem: String) {
        self.keyID = keyID
        self.active = active
        self.raw = raw
        self.pem = pem
    }
}
