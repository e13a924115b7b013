import RiegelCore

/// A fast ``CheckpointSealer`` for tests: "signatures" are a
/// ``FakeKeyedDigester`` digest under the active `audit` key id. Keeps the
/// port's rules (key ids, rotation, a seal verifies only under the key it
/// names) but is NOT a signature: never use it outside tests.
public struct FakeCheckpointSealer: CheckpointSealer {
    /// The digester whose `audit` keys stand in for signing keys; rotate its
    /// `audit` purpose to rotate the signing key.
    public let digester: FakeKeyedDigester

    /// A sealer over `digester`'s audit keys.
    public init(digester: FakeKeyedDigester = FakeKeyedDigester()) {
        self.digester = digester
    }

    /// Makes a new active signing key, as a rotation of the `audit` purpose would.
    @discardableResult
    public func rotate() -> KeyID { digester.rotate(.audit) }

    public func seal(_ message: [UInt8]) -> CheckpointSeal {
        let digest = digester.digest(message, purpose: .audit)
        return .signature(bytes: digest.bytes, keyID: digest.keyID)
    }

    /// A legacy HMAC-style seal under the active key, as checkpoints written
    /// before signatures were.
    public func legacySeal(_ message: [UInt8]) -> CheckpointSeal {
        .hmac(digester.digest(message, purpose: .audit))
    }

    public func verifies(_ message: [UInt8], seal: CheckpointSeal) -> Bool {
        switch seal {
        case .hmac(let digest): digester.matches(message, digest: digest, purpose: .audit)
        case .signature(let bytes, let keyID):
            digester.matches(message, digest: KeyedDigest(bytes: bytes, keyID: keyID), purpose: .audit)
        }
    }

    public func publicKeys() -> [AuditPublicKey] {
        let active = digester.digest([], purpose: .audit).keyID
        return [AuditPublicKey(keyID: active, active: true, raw: [], pem: "")]
    }
}
