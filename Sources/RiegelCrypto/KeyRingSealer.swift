import RiegelCore

/// The ``SecretSealer`` on a ``KeyRing``: seals under the active key of a
/// purpose in the ``Envelope`` format, opens under the key the envelope names.
public struct KeyRingSealer: SecretSealer {
    private let keyRing: KeyRing
    private let random: any RandomSource

    /// A sealer on `keyRing`; `random` supplies nonces (``SystemRandom`` in production).
    public init(keyRing: KeyRing, random: any RandomSource) {
        self.keyRing = keyRing
        self.random = random
    }

    /// Seals `plaintext` under the active key of `purpose`, bound to `associatedData`.
    public func seal(_ plaintext: [UInt8], purpose: KeyPurpose, associatedData: [UInt8]) throws -> SealedSecret {
        let key = keyRing.activeKey(purpose)
        return SealedSecret(bytes: try Envelope.seal(plaintext, with: key, associatedData: associatedData, random: random),
                            keyID: key.id)
    }

    /// Opens `sealed` under the key it names, which must belong to `purpose`.
    public func open(_ sealed: [UInt8], purpose: KeyPurpose, associatedData: [UInt8]) throws -> [UInt8] {
        let id = try Envelope.keyID(of: sealed)
        guard let key = keyRing.key(id), key.purpose == purpose else { throw SealingError.unknownKey(id) }
        return try Envelope.open(sealed, with: key, associatedData: associatedData)
    }
}
