/// A place in the administrators' account list, which is ordered by creation
/// time, then user id: a page starts right after the position of the last
/// row of the page before (keyset paging). Accounts created while an
/// administrator pages sort after every row already shown, so paging neither
/// repeats nor skips a row; the row at the position need not exist any more.
public struct AccountListPosition: Sendable, Hashable, Comparable {
    public var createdAt: Instant
    public var userID: UserID

    /// The position of the account created at `createdAt` with id `userID`.
    public init(createdAt: Instant, userID: UserID) {
        self.createdAt = createdAt
        self.userID = userID
    }

    /// The list's order: creation time, then the id's raw value (bytewise, as SQLite compares text).
    public static func < (lhs: AccountListPosition, rhs: AccountListPosition) -> Bool {
        if lhs.createdAt != rhs.createdAt { return lhs.createdAt < rhs.createdAt }
        return Array(lhs.userID.rawValue.utf8).lexicographicallyPrecedes(Array(rhs.userID.rawValue.utf8))
    }
}
