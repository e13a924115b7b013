import Crypto
import _CryptoExtras
import RiegelCore

/// The ``CheckpointSealer`` on a ``KeyRing``: signs audit checkpoints with the
/// Ed25519 key derived from the active `audit` data key, verifies signatures
/// under the public half of the key they name, and legacy HMAC checkpoints
/// with the key's HMAC subkey.
public struct KeyRingCheckpointSealer: CheckpointSealer {
    private let keyRing: KeyRing
    private let digester: KeyRingDigester

    /// A sealer on `keyRing`.
    public init(keyRing: KeyRing) {
        self.keyRing = keyRing
        digester = KeyRingDigester(keyRing: keyRing)
    }

    public func seal(_ message: [UInt8]) -> CheckpointSeal {
        let key = keyRing.activeKey(.audit)
        guard let signer = key.signingKey else { preconditionFailure("audit key \(key.id) has no signing key") }
        // Ed25519 signing cannot fail for a valid key; a failure is a broken crypto library.
        let signature = try! signer.signature(for: message)
        return .signature(bytes: Array(signature), keyID: key.id)
    }

    public func verifies(_ message: [UInt8], seal: CheckpointSeal) -> Bool {
        switch seal {
        case .hmac(let digest):
            return digester.matches(message, digest: digest, purpose: .audit)
        case .signature(let bytes, let keyID):
            guard let key = keyRing.key(keyID), key.purpose == .audit, let signer = key.signingKey else { return false }
            return signer.publicKey.isValidSignature(bytes, for: message)
        }
    }

    public func publicKeys() -> [AuditPublicKey] {
        let active = keyRing.activeKey(.audit).id
        return keyRing.usableKeys(.audit).compactMap { key in
            guard let publicKey = key.signingKey?.publicKey else { return nil }
            return AuditPublicKey(keyID: key.id, active: key.id == active, raw: Array(publicKey.rawRepresentation),
                                  pem: publicKey.pemRepresentation)
        }
    }
}
