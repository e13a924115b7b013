/// What vouches for an ``AuditCheckpoint``: an Ed25519 signature that anyone
/// holding the audit public key can check, or (checkpoints written before
/// migration `v12-audit-signatures`) an HMAC that only the daemon can check.
///
/// Both are made over ``AuditChain/checkpointMessage(seq:hash:)`` with the
/// `audit` data key `keyID`; the daemon re-signs HMAC checkpoints at start
/// (see docs/at-rest-formats.md), so a trail ends up signed throughout.
public enum CheckpointSeal: Sendable, Hashable {
    /// An HMAC-SHA256 (legacy; verifiable only with the secret key).
    case hmac(KeyedDigest)
    /// An Ed25519 signature (64 bytes) under the public half of `keyID`.
    case signature(bytes: [UInt8], keyID: KeyID)

    /// The `audit` data key that made the seal.
    public var keyID: KeyID {
        switch self {
        case .hmac(let digest): digest.keyID
        case .signature(_, let keyID): keyID
        }
    }

    /// The seal's bytes (MAC or signature).
    public var bytes: [UInt8] {
        switch self {
        case .hmac(let digest): digest.bytes
        case .signature(let bytes, _): bytes
        }
    }

    /// Whether anyone with the public key can check it.
    public var isSignature: Bool {
        if case .signature = self { return true }
        return false
    }
}
