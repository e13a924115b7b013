import Crypto
import RiegelCore

/// An unwrapped data key, held only in memory by the ``KeyRing``.
///
/// Two subkeys are derived from the 32 stored bytes with HKDF-SHA256 (info
/// `riegel/v1/aead/<purpose>` and `riegel/v1/hmac/<purpose>`), so the same
/// material never serves both AES-GCM and HMAC.
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
    }

    /// The key's metadata, for admins, wrapped under the master key `masterKeyID`.
    public func info(masterKeyID: String) -> DataKeyInfo {
        DataKeyInfo(id: id, purpose: purpose, state: state, createdAt: createdAt, masterKeyID: masterKeyID)
    }
}
