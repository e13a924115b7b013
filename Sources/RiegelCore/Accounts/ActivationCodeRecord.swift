/// An out-of-band activation code ("Freischaltcode") as stored.
///
/// - Important: the code itself is never stored: only its keyed digest
///   (HMAC with the `otp` key over the user id and the code).
public struct ActivationCodeRecord: Sendable, Hashable {
    public var digest: KeyedDigest
    public var userID: UserID
    /// What the code proves, e.g. a contract number.
    public var subject: String
    public var createdAt: Instant
    public var expiresAt: Instant
    public var redeemedAt: Instant?

    /// A record.
    public init(digest: KeyedDigest, userID: UserID, subject: String, createdAt: Instant, expiresAt: Instant,
                redeemedAt: Instant? = nil) {
        self.digest = digest
        self.userID = userID
        self.subject = subject
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.redeemedAt = redeemedAt
    }
}
