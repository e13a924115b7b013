import RiegelCore

/// What a challenge of any factor starts from (login, step-up, reset).
public struct FactorChallengeRequest: Sendable {
    public var purpose: ChallengePurpose
    public var account: AccountRecord
    /// The session being stepped up; nil for login and reset.
    public var session: SessionID?
    /// The caller's language (SMS texts).
    public var language: String?
    /// For `password_reset`: the reset waiting for the code.
    public var pendingReset: PendingPasswordReset?
    /// The account's credential generation the flow read.
    public var credentialGeneration: Int?

    /// A request.
    public init(purpose: ChallengePurpose, account: AccountRecord, session: SessionID? = nil, language: String? = nil,
                pendingReset: PendingPasswordReset? = nil, credentialGeneration: Int? = nil) {
        self.purpose = purpose
        self.account = account
        self.session = session
        self.language = language
        self.pendingReset = pendingReset
        self.credentialGeneration = credentialGeneration
    }
}
