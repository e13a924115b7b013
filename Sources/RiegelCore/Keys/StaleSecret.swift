/// A long-lived stored value under an older key of its purpose, as a re-wrap
/// reads it. Short-lived values (codes, challenges, queued messages) and
/// digests (recovery codes: the code is not kept to digest again) are not
/// re-wrapped: they finish under the key they were made with.
public enum StaleSecret: Sendable, Hashable {
    /// `user.password_hash` (purpose `password`).
    case passwordHash(UserID, SealedSecret)
    /// `user.email` and its blind index (purpose `pii`).
    case email(UserID, SealedSecret)
    /// `user.phone` and its blind index (purpose `pii`).
    case phone(UserID, SealedSecret)
    /// An authenticator app's secret, `factor.secret` (purpose `otp`): long-lived,
    /// unlike the codes.
    case totpSecret(FactorID, SealedSecret)
    /// An audit checkpoint's seal (purpose `audit`): under an older key, or
    /// a legacy HMAC to be replaced by a signature.
    case checkpoint(AuditCheckpoint)
    /// The signed anchor where a pruned trail starts (purpose `audit`).
    case anchor(AuditCheckpoint)

    /// The key the value is under now.
    public var keyID: KeyID {
        switch self {
        case .passwordHash(_, let sealed), .email(_, let sealed), .phone(_, let sealed), .totpSecret(_, let sealed):
            sealed.keyID
        case .checkpoint(let checkpoint), .anchor(let checkpoint): checkpoint.seal.keyID
        }
    }
}
