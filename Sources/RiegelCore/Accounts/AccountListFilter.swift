/// Which accounts an administrator's list shows (`io.riegel.Admin.ListAccounts`).
/// Every condition that is set must hold; an empty filter matches every account.
public struct AccountListFilter: Sendable, Hashable {
    /// true: only accounts under an administrator's lock in force at the
    /// listing's `now`; false: only accounts without one. Throttle lockouts
    /// do not count (they live in the throttle state, not the account).
    public var locked: Bool?
    /// Only accounts with (true) or without (false) the SMS second factor.
    public var secondFactor: Bool?
    /// Only accounts created at or after this instant.
    public var createdSince: Instant?
    /// Only accounts whose last successful login was at or after this instant
    /// (an account that never logged in never matches).
    public var lastLoginSince: Instant?

    /// A filter with the given conditions (none by default).
    public init(locked: Bool? = nil, secondFactor: Bool? = nil, createdSince: Instant? = nil,
                lastLoginSince: Instant? = nil) {
        self.locked = locked
        self.secondFactor = secondFactor
        self.createdSince = createdSince
        self.lastLoginSince = lastLoginSince
    }

    /// Whether `row` matches at `now` (the rule every ``AccountDirectory`` applies).
    public func matches(_ row: AccountListRow, now: Instant) -> Bool {
        if let locked, row.isLocked(at: now) != locked { return false }
        if let secondFactor, row.secondFactor != secondFactor { return false }
        if let createdSince, row.createdAt < createdSince { return false }
        if let lastLoginSince {
            guard let last = row.lastLoginAt, last >= lastLoginSince else { return false }
        }
        return true
    }
}
