import RiegelCore

/// Counts what `io.riegel.Admin.Stats` reports: accounts, live sessions,
/// pending challenges, and the last hour's SMS and failed logins.
///
/// Reads the database (counts and the audit trail): call it off the event loop.
public struct StatsService: Sendable {
    /// The audit event types counted as failed logins.
    public static let failedLoginTypes = ["login.failed", "device_login.failed"]

    private let accounts: AccountService
    private let sessions: SessionService
    private let sms: SMSChallengeService
    private let auditReader: any AuditReader
    private let clock: any WallClock

    /// Binds the use cases whose counts it reads.
    public init(accounts: AccountService, sessions: SessionService, sms: SMSChallengeService,
                auditReader: any AuditReader, clock: any WallClock) {
        self.accounts = accounts
        self.sessions = sessions
        self.sms = sms
        self.auditReader = auditReader
        self.clock = clock
    }

    /// The counts now; "last hour" is the hour before the clock's now.
    public func current() throws -> DaemonStats {
        let hourAgo = clock.now().adding(seconds: -3600)
        return DaemonStats(
            accounts: try accounts.accountCount(),
            sessionsActive: sessions.liveCount(),
            challengesPending: try sms.pendingCount(),
            smsSentLastHour: try sms.stats(since: hourAgo).reduce(0) { $0 + $1.sent },
            loginsFailedLastHour: try auditReader.count(matching: AuditFilter(types: Self.failedLoginTypes,
                                                                              since: hourAgo)))
    }
}
