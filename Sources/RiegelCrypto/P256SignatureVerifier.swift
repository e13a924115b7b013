import Crypto
import Foundation
import RiegelCore

/// The ``SignatureVerifier`` on swift-crypto: ECDSA on P-256 with SHA-256.
///
/// A public key must be the canonical DER SubjectPublicKeyInfo of a point on
/// P-256 (swift-crypto checks the algorithm and curve identifiers and the
/// point; riegel also requires that re-encoding gives the same bytes, so no
/// trailing data or alternative encoding is stored). Signatures are DER
/// `ECDSA-Sig-Value`s, as iOS, Android and Python's `cryptography` make them.
public struct P256SignatureVerifier: SignatureVerifier {
    /// A verifier.
    public init() {}

    /// Made once per process from a private key that is dropped at once.
    private static let decoy = Array(P256.Signing.PrivateKey().publicKey.derRepresentation)

    public var decoyPublicKey: [UInt8] { Self.decoy }

    public func validatePublicKey(_ publicKey: [UInt8]) throws(SignatureVerifierError) {
        _ = try Self.key(publicKey)
    }

    public func validateSignature(_ signature: [UInt8]) throws(SignatureVerifierError) {
        _ = try Self.signature(signature)
    }

    public func isValidSignature(_ signature: [UInt8], of message: [UInt8], publicKey: [UInt8]) -> Bool {
        guard let key = try? Self.key(publicKey), let signature = try? Self.signature(signature) else { return false }
        return key.isValidSignature(signature, for: message)
    }

    static func key(_ bytes: [UInt8]) throws(SignatureVerifierError) -> P256.Signing.PublicKey {
        let key: P256.Signing.PublicKey
        do {
            key = try P256.Signing.PublicKey(derRepresentation: bytes)
        } catch {
            throw .invalidPublicKey(reason: "not the DER SubjectPublicKeyInfo of a P-256 key")
        }
        guard Array(key.derRepresentation) == bytes else {
            throw .invalidPublicKey(reason: "not in canonical DER (uncompressed point, no trailing bytes)")
        }
        return key
    }

    static func signature(_ bytes: [UInt8]) throws(SignatureVerifierError) -> P256.Signing.ECDSASignature {
        let signature: P256.Signing.ECDSASignature
        do {
            signature = try P256.Signing.ECDSASignature(derRepresentation: bytes)
        } catch {
            throw .malformedSignature
        }
        guard Array(signature.derRepresentation) == bytes else { throw .malformedSignature }
        return signature
    }
}
