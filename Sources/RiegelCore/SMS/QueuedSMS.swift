/// One message in the SMS outbox table: written in the same transaction as
/// the challenge it carries the code of, then handed to the gateways by the
/// dispatcher, so a crash between "challenge made" and "SMS sent" loses nothing.
///
/// - Important: ``payload`` (recipient and text, as JSON) is sealed under the
///   `otp` key with the challenge id as associated data, and wiped once the
///   message is sent or given up. What stays (country code, times, gateway)
///   feeds `riegelctl sms stats` and holds no code and no number.
public struct QueuedSMS: Sendable, Hashable {
    /// The row id (nil before the store assigns one).
    public var id: Int64?
    /// The challenge whose code the message carries.
    public var challengeID: ChallengeID
    /// The challenge's purpose (for stats).
    public var purpose: ChallengePurpose
    /// The recipient's country calling code, e.g. "49" (for caps and stats).
    public var countryCode: String
    /// The sealed recipient and text; nil once sent or given up.
    public var payload: SealedSecret?
    /// When the message was queued.
    public var createdAt: Instant
    /// After this the code is dead: the message is no longer worth sending.
    public var expiresAt: Instant
    /// Delivery attempts so far (each tries every gateway in order).
    public var attempts: Int
    /// When the next attempt is due.
    public var nextAttemptAt: Instant
    /// When a gateway took the message.
    public var sentAt: Instant?
    /// The gateway that took it.
    public var gateway: String?

    /// A queued message.
    public init(id: Int64? = nil, challengeID: ChallengeID, purpose: ChallengePurpose, countryCode: String,
                payload: SealedSecret?, createdAt: Instant, expiresAt: Instant, attempts: Int = 0,
                nextAttemptAt: Instant? = nil, sentAt: Instant? = nil, gateway: String? = nil) {
        self.id = id
        self.challengeID = challengeID
        self.purpose = purpose
        self.countryCode = countryCode
        self.payload = payload
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt ?? createdAt
        self.sentAt = sentAt
        self.gateway = gateway
    }
}
