/// A password reset waiting for its SMS challenge (purpose `password_reset`):
/// the reset token is spent and the new password set only when the code is
/// verified.
///
/// - Important: holds the reset token's digest and the new PHC string sealed
///   under the `password` key (associated data: the user id), never either in clear.
public struct PendingPasswordReset: Sendable, Hashable {
    /// SHA-256 of the reset token, to spend it on success.
    public var tokenDigest: [UInt8]
    /// The new password's PHC string, sealed like an account's.
    public var passwordHash: SealedSecret

    /// A pending reset.
    public init(tokenDigest: [UInt8], passwordHash: SealedSecret) {
        self.tokenDigest = tokenDigest
        self.passwordHash = passwordHash
    }
}
