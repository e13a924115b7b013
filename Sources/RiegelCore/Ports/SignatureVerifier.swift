/// Checks the signatures of app device keys: ECDSA on P-256 with SHA-256.
///
/// Public keys are SubjectPublicKeyInfo in DER (what `SecKeyCopyExternalRepresentation`
/// wrapped, Android's `PublicKey.getEncoded()` or Python's
/// `public_bytes(DER, SubjectPublicKeyInfo)` give); signatures are DER
/// `ECDSA-Sig-Value` (what those platforms produce).
public protocol SignatureVerifier: Sendable {
    /// Checks that `publicKey` is the canonical DER SubjectPublicKeyInfo of a P-256 point.
    /// - Throws: ``SignatureVerifierError/invalidPublicKey(reason:)`` otherwise.
    func validatePublicKey(_ publicKey: [UInt8]) throws(SignatureVerifierError)
    /// Checks that `signature` is a DER-encoded ECDSA signature value.
    /// - Throws: ``SignatureVerifierError/malformedSignature`` otherwise.
    func validateSignature(_ signature: [UInt8]) throws(SignatureVerifierError)
    /// Whether `signature` is a valid ECDSA P-256 SHA-256 signature of
    /// `message` under `publicKey`. A malformed key or signature is simply not valid.
    func isValidSignature(_ signature: [UInt8], of message: [UInt8], publicKey: [UInt8]) -> Bool
    /// A valid public key whose private half nobody holds (made in this
    /// process and thrown away): an unknown or unusable device is verified
    /// against it, so it costs what a known one does.
    var decoyPublicKey: [UInt8] { get }
}
