import RiegelCore

extension AccountService {
    /// Rows per `ListAccounts` page when the caller names no limit.
    public static let defaultListLimit = 100
    /// The most rows one `ListAccounts` page may ask for.
    public static let maxListLimit = 1000

    /// Admin `ListAccounts`: up to `limit` (default ``defaultListLimit``)
    /// accounts matching `filter`, oldest first, after the page whose `next`
    /// cursor is `after`. Reads through the async ``AccountDirectory`` (one
    /// query per page); live sessions come from the in-memory session table.
    /// - Throws: `InvalidFilter` for a limit outside 1...``maxListLimit`` or a
    ///   cursor riegeld did not issue.
    public func listAccounts(_ filter: AccountListFilter, limit: Int?, after: String?) async throws -> AccountListPage {
        let limit = limit ?? Self.defaultListLimit
        guard (1...Self.maxListLimit).contains(limit) else {
            throw RiegelError.invalidFilter(reason: "limit must be between 1 and \(Self.maxListLimit)")
        }
        let cursor = AccountListCursor(digester: keyedDigester)
        let position = try after.map(cursor.decode)
        let now = clock.now()
        // One row more than asked tells whether another page follows.
        var rows = try await directory.accounts(matching: filter, after: position, now: now, limit: limit + 1)
        let more = rows.count > limit
        if more { rows.removeLast(rows.count - limit) }
        let entries = rows.map { row in
            AccountListPage.Entry(
                summary: AccountSummary(userID: row.userID, username: row.username, createdAt: row.createdAt,
                                        lockedUntil: row.isLocked(at: now) ? row.lockedUntil : nil,
                                        secondFactor: row.secondFactor, sessions: sessions.liveCount(of: row.userID),
                                        lastLoginAt: row.lastLoginAt),
                devices: row.devices)
        }
        return AccountListPage(entries: entries, next: more ? rows.last.map { cursor.encode($0.position) } : nil)
    }
}
