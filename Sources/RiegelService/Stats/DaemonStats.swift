/// The counts `io.riegel.Admin.Stats` reports, taken at one moment.
public struct DaemonStats: Sendable, Equatable {
    /// Registered and imported accounts.
    public var accounts: Int
    /// Live sessions (the in-memory session table).
    public var sessionsActive: Int
    /// SMS challenges not yet verified, expired or exhausted.
    public var challengesPending: Int
    /// SMS handed to a gateway in the last hour, all countries.
    public var smsSentLastHour: Int
    /// Failed password and device-key logins in the last hour, from the audit trail.
    public var loginsFailedLastHour: Int

    /// Creates the counts.
    public init(accounts: Int, sessionsActive: Int, challengesPending: Int, smsSentLastHour: Int,
                loginsFailedLastHour: Int) {
        self.accounts = accounts
        self.sessionsActive = sessionsActive
        self.challengesPending = challengesPending
        self.smsSentLastHour = smsSentLastHour
        self.loginsFailedLastHour = loginsFailedLastHour
    }
}
