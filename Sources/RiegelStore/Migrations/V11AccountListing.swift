import GRDB

/// `v11-account-listing`: an index on `user (created_at, id)`, the order of
/// the administrators' account list (`ListAccounts`, keyset paging), so a
/// page is read along the index from the last position instead of sorting
/// the whole table for every page.
enum V11AccountListing: StoreMigration {
    static let identifier = "v11-account-listing"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: "CREATE INDEX user_created ON user (created_at, id)")
    }
}
