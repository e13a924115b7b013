/// What a data key is for. Every purpose has its own keys, so a key leaked or
/// rotated for one purpose never touches the data of another.
///
/// - Important: the raw values are stored in the database and bound into
///   wrapped keys and ciphertexts; never rename a case.
public enum KeyPurpose: String, Sendable, Hashable, CaseIterable, Codable {
    /// Encrypts argon2id PHC strings at rest (a "pepper" that can be rotated).
    case password
    /// Encrypts personal data (phone numbers, e-mail) and keys their blind indexes.
    case pii
    /// Keys the HMAC digests of SMS, activation and recovery codes, and
    /// seals authenticator apps' (TOTP) secrets.
    case otp
    /// Keys the audit hash chain's checkpoints: the Ed25519 signing key is
    /// derived from it (and, before v12, its HMAC subkey sealed them).
    case audit
}
