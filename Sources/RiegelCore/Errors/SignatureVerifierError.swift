/// Why a public key or signature given for an app device key cannot be used.
public enum SignatureVerifierError: Error, Sendable, Hashable {
    /// Not a DER SubjectPublicKeyInfo of a P-256 point; `reason` says which
    /// part (it never contains key bytes).
    case invalidPublicKey(reason: String)
    /// Not a DER-encoded ECDSA signature value.
    case malformedSignature
}
