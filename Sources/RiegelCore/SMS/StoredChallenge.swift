/// A challenge as stored, with what its purpose needs on success.
public struct StoredChallenge: Sendable, Hashable {
    /// The state machine.
    public var challenge: SMSChallenge
    /// The language the messages are written in (the caller's, at start);
    /// resends use it.
    public var language: String?
    /// For `password_reset`: the reset to complete.
    public var pendingReset: PendingPasswordReset?
    /// The account's ``AccountRecord/credentialGeneration`` when the challenge
    /// started, if the flow that started it had read the account: a challenge
    /// whose account's generation moved since (a password change or reset, a
    /// lock, a second-factor change) is over (issue 11, item 9).
    public var credentialGeneration: Int?

    /// A stored challenge.
    public init(challenge: SMSChallenge, language: String? = nil, pendingReset: PendingPasswordReset? = nil,
                credentialGeneration: Int? = nil) {
        self.challenge = challenge
        self.language = language
        self.pendingReset = pendingReset
        self.credentialGeneration = credentialGeneration
    }
}
