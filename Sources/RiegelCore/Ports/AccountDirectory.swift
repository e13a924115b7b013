/// Reads accounts page by page for administrators (`ListAccounts`).
///
/// A read port apart from ``AccountStore``: it is async, so an implementation
/// on a database does its I/O off the caller's thread (the cooperative pool
/// or an event loop) and the caller's task waits without blocking one.
public protocol AccountDirectory: Sendable {
    /// Up to `limit` accounts matching `filter` at `now`, in list order
    /// (``AccountListPosition``), starting after `after` (from the first
    /// account if nil). `limit` must be positive; an empty array means there
    /// is nothing more.
    func accounts(matching filter: AccountListFilter, after: AccountListPosition?, now: Instant,
                  limit: Int) async throws -> [AccountListRow]
}
