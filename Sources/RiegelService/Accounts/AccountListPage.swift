import RiegelCore

/// One page of the administrators' account list (`ListAccounts`).
public struct AccountListPage: Sendable {
    /// One account of the page.
    public struct Entry: Sendable, Hashable {
        /// As `GetAccount` shows it, except that `lockedUntil` is the
        /// administrator's lock only (a throttle lockout is not looked up per row).
        public var summary: AccountSummary
        /// Trusted devices in force.
        public var devices: Int
    }

    /// The accounts, oldest first.
    public var entries: [Entry]
    /// The cursor of the next page; nil on the last page.
    public var next: String?
}
