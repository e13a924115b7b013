import Logging
import RiegelCore

/// Opens, checks and ends sessions (the session model every login path uses).
///
/// - Important: tokens are returned once and stored only as SHA-256 digests;
///   a check computes expiry from stored times on every call, so it never
///   answers a stale "valid" (security rule 6).
public final class SessionService: Sendable {
    let sessions: any SessionStore
    let accounts: any AccountStore
    let tokens: any TokenGenerator
    let digester: any TokenDigester
    let clock: any WallClock
    let random: any RandomSource
    /// The lifetimes in force.
    public let policy: SessionPolicy

    /// A service over the given ports.
    public init(sessions: any SessionStore, accounts: any AccountStore, tokens: any TokenGenerator,
                digester: any TokenDigester, clock: any WallClock, random: any RandomSource, policy: SessionPolicy) {
        self.sessions = sessions
        self.accounts = accounts
        self.tokens = tokens
        self.digester = digester
        self.clock = clock
        self.random = random
        self.policy = policy
    }

    /// Opens a session for `account`, written through before it returns.
    public func open(for account: AccountRecord, assurance: Assurance, method: AuthenticationMethod,
                     client: ClientContext) throws -> NewSession {
        let now = clock.now()
        let token = tokens.newToken()
        let record = SessionRecord(
            id: SessionID.random(using: random), userID: account.id, tokenDigest: digester.digest(ofToken: token),
            assurance: assurance, method: method, createdAt: now, authenticatedAt: now,
            secondFactorAt: assurance == .secondFactor ? now : nil, lastActivityAt: now,
            clientIP: client.ip, userAgent: client.userAgent)
        try sessions.create(record)
        return NewSession(token: token, info: SessionInfo(record, username: account.username.value, policy: policy))
    }

    /// The valid session for `token`, its account, and the info a caller sees.
    ///
    /// - Parameter touch: whether this check counts as user activity.
    /// - Throws: `InvalidToken` for a token never issued, `SessionExpired` for
    ///   one that ended; store failures as they come.
    public func check(token: String, touch: Bool = true) throws -> (SessionRecord, AccountRecord, SessionInfo) {
        let now = clock.now()
        guard var session = try sessions.session(tokenDigest: digester.digest(ofToken: token)) else {
            throw RiegelError.invalidToken
        }
        if let reason = policy.endReason(of: session, now: now) {
            throw RiegelError.sessionExpired(reason)
        }
        guard let account = try accounts.account(id: session.userID) else {
            throw RiegelError.sessionExpired(.revoked)
        }
        if touch {
            try sessions.recordActivity([session.id: now])
            session.lastActivityAt = now
        }
        return (session, account, SessionInfo(session, username: account.username.value, policy: policy))
    }

    /// Ends every session of `userID` except `keeping`; returns how many ended.
    @discardableResult
    public func endAll(of userID: UserID, keeping: SessionID? = nil, reason: String) throws -> Int {
        try sessions.revokeAll(of: userID, keeping: keeping, reason: reason, at: clock.now())
    }
}
