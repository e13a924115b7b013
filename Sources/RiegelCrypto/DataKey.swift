import Crypto
import RiegelCore

/// An unwrapped data key, held only in memory by the ``KeyRing``.
///
/// Subkeys are derived from the 32 stored bytes with HKDF-SHA256 (info
/// `riegel/v1/aead/<purpose>` and `riegel/v1/hmac/<purpose>`, and for the
/// `audit` purpose the Ed25519 seed `riegel/v1/ed25519/audit`), so the same
/// material never serves two algorithms.
///
/// - Important: the key material is not public; it leaves this module only
///   wrapped under the master key.
public struct DataKey: Sendable {
    /// The key's id.
    public let id: KeyID
    /// What it is for.
    public let purpose: KeyPurpose
    /// Where it is in its life cycle.
    public internal(set) var state: KeyState
    /// When it was made.
    public let createdAt: Instant
    /// The AES-256-GCM subkey.
    let sealingKey: SymmetricKey
    /// The HMAC-SHA256 subkey.
    let macKey: SymmetricKey
    /// The Ed25519 key that signs audit checkpoints (`audit` keys only).
    let signingKey: Curve25519.Signing.PrivateKey?

    init(id: KeyID, purpose: KeyPurpose, state: KeyState, createdAt: Instant, material: SymmetricKey) {
        self.id = id
        self.purpose = purpose
        self.state = state
        self.createdAt = createdAt
        sealingKey = HKDF<SHA256>.deriveKey(inputKeyMaterial: material,
                                            info: Array("riegel/v1/aead/\(purpose.rawValue)".utf8),
                                            outputByteCount: 32)
        macKey = HKDF<SHA256>.deriveKey(inputKeyMaterial: material,
                                        info: Array("riegel/v1/hmac/\(purpose.rawValue)".utf8),
                                        outputByteCount: 32)
        signingKey = purpose == .audit ? Self.signingKey(material) : nil
    }

    private static func signingKey(_ material: SymmetricKey) -> Curve25519.Signing.PrivateKey {
        let seed = HKDF<SHA256>.deriveKey(inputKeyMaterial: material, info: Array("riegel/v1/ed25519/audit".utf8),
                                          outputByteCount: 32)
        // A 32-byte seed is always a valid Ed25519 private key.
        return seed.withUnsafeBytes { try! Curve25519.Signing.PrivateKey(rawRepresentation: $0) }
    }

    /// The key's metadata, for admins, wrapped under the master key `masterKeyID`.
    public func info(masterKeyID: String) -> DataKeyInfo {
        DataKeyInfo(id: id, purpose: purpose, state: state, createdAt: createdAt, masterKeyID: masterKeyID)
    }
}
