import RiegelCore
import Synchronization

/// A fast ``SignatureVerifier`` for service tests, NOT ECDSA: a "key" is any
/// 91-byte string with the P-256 SubjectPublicKeyInfo header, a "signature"
/// is `30 22 04 20` + SHA-256(key ‖ message). Anyone can forge it; never
/// use it outside tests. It counts verifications, so tests can check that
/// an unknown device costs the same verification as a known one.
public final class FakeSignatureVerifier: SignatureVerifier, Sendable {
    /// The SPKI header of every P-256 key (algorithm and curve OIDs, bit string, uncompressed point).
    public static let p256Header: [UInt8] = Array(ForeignPublicKeys.p256.prefix(27))

    private let verifications = Atomic<Int>(0)

    /// A verifier.
    public init() {}

    /// A fake public key derived from `seed`.
    public static func publicKey(seed: UInt8) -> [UInt8] {
        p256Header + SoftwareSHA256().sha256([seed, 1]) + SoftwareSHA256().sha256([seed, 2])
    }

    /// A fake key no test signs with.
    public var decoyPublicKey: [UInt8] { Self.publicKey(seed: 0xFF) }

    /// The fake signature of `message` under `publicKey`.
    public static func sign(_ message: [UInt8], publicKey: [UInt8]) -> [UInt8] {
        [0x30, 0x22, 0x04, 0x20] + SoftwareSHA256().sha256(publicKey + message)
    }

    public func validatePublicKey(_ publicKey: [UInt8]) throws(SignatureVerifierError) {
        guard publicKey.count == 91 else { throw .invalidPublicKey(reason: "not a P-256 SubjectPublicKeyInfo (length)") }
        guard Array(publicKey.prefix(27)) == Self.p256Header else {
            throw .invalidPublicKey(reason: "not a P-256 SubjectPublicKeyInfo (header)")
        }
    }

    public func validateSignature(_ signature: [UInt8]) throws(SignatureVerifierError) {
        guard signature.count >= 2, signature[0] == 0x30, Int(signature[1]) == signature.count - 2 else {
            throw .malformedSignature
        }
    }

    public func isValidSignature(_ signature: [UInt8], of message: [UInt8], publicKey: [UInt8]) -> Bool {
        verifications.add(1, ordering: .relaxed)
        guard (try? validatePublicKey(publicKey)) != nil else { return false }
        return signature == Self.sign(message, publicKey: publicKey)
    }

    /// Verifications so far.
    public var verificationCount: Int { verifications.load(ordering: .relaxed) }
}
