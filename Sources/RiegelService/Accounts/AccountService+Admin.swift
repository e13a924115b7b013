import Logging
import RiegelCore

/// What an administrator sees of an account (`io.riegel.Admin.Account`).
public struct AccountSummary: Sendable, Hashable {
    public var userID: UserID
    public var username: String
    public var createdAt: Instant
    /// The later of an administrator's lock and a throttle lockout, if either is in force.
    public var lockedUntil: Instant?
    public var secondFactor: Bool
    public var sessions: Int
    public var lastLoginAt: Instant?
}

extension AccountService {
    /// The account named `username` (any case), as administrators see it.
    public func summary(username: String) throws -> AccountSummary {
        let account = try adminLookup(username)
        let now = clock.now()
        let throttleLock: Instant? = try throttles.state(for: accountThrottleKey(account.username.canonicalKey))
            .flatMap { state in
                if case .locked(let until) = state.check(now: now) { return until }
                return nil
            }
        let adminLock = account.lockedUntil.flatMap { $0 > now ? $0 : nil }
        return AccountSummary(
            userID: account.id, username: account.username.value, createdAt: account.createdAt,
            lockedUntil: [adminLock, throttleLock].compactMap { $0 }.max(),
            secondFactor: account.secondFactorEnabled,
            sessions: sessions.liveCount(of: account.id),
            lastLoginAt: account.lastLoginAt)
    }

    /// Locks the account until `until` (default: for good, i.e. until unlocked)
    /// and ends its sessions and pending challenges; logins in flight are
    /// refused when they would open a session (the lock bumps the credential generation).
    public func lock(username: String, reason: String, until: Instant?) throws {
        let account = try adminLookup(username)
        let until = until ?? Instant(secondsSinceEpoch: 253_402_300_799) // 9999-12-31T23:59:59Z
        try accounts.setLock(id: account.id, until: until)
        try sms.endPending(of: account.id, reason: "account_locked")
        let ended = try sessions.endAll(of: account.id, reason: "account_locked")
        audit.record(.accountLocked, .success, user: account.id, username: account.username.value, reason: "admin",
                     details: ["note": reason, "until": "\(until)", "sessions_ended": "\(ended)"])
    }

    /// How many accounts exist.
    public func accountCount() throws -> Int {
        try accounts.count()
    }

    /// Forgets throttle states nobody saved for longer than anything in the
    /// throttle policy lasts (windows, delays, lockouts): nothing in them can
    /// matter any more. Returns how many.
    @discardableResult
    public func purgeStaleThrottles() throws -> Int {
        try throttles.removeStale(unsavedFor: policy.throttle.horizon)
    }

    /// Lifts an administrator's lock and any throttle backoff or lockout (security rule 4: admins can unlock).
    public func unlock(username: String) throws {
        let account = try adminLookup(username)
        try accounts.setLock(id: account.id, until: nil)
        try throttles.remove(accountThrottleKey(account.username.canonicalKey))
        audit.record(.accountUnlocked, .success, user: account.id, username: account.username.value, reason: "admin")
    }

    /// Ends every session of the account; returns how many.
    public func revokeSessions(username: String) throws -> Int {
        let account = try adminLookup(username)
        let ended = try sessions.endAll(of: account.id, reason: "admin")
        audit.record(.sessionRevoked, .success, user: account.id, username: account.username.value, reason: "admin",
                     details: ["count": "\(ended)"])
        return ended
    }

    func adminLookup(_ rawUsername: String) throws -> AccountRecord {
        guard let username = try? Username(rawUsername),
              let account = try accounts.account(usernameKey: username.canonicalKey) else {
            throw RiegelError.noSuchAccount
        }
        return account
    }
}
