/// A challenge as stored, with what its purpose needs on success.
public struct StoredChallenge: Sendable, Hashable {
    /// The state machine.
    public var challenge: SMSChallenge
    /// The language the messages are written in (the caller's, at start);
    /// resends use it.
    public var language: String?
    /// For `password_reset`: the reset to complete.
    public var pendingReset: PendingPasswordReset?

    /// A stored challenge.
    public init(challenge: SMSChallenge, language: String? = nil, pendingReset: PendingPasswordReset? = nil) {
        self.challenge = challenge
        self.language = language
        self.pendingReset = pendingReset
    }
}
