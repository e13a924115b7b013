import RiegelCore

/// A store under test together with an ``AccountStore`` on the same backing
/// data: the rows of session, reset-token and activation-code stores belong
/// to accounts (a foreign key in SQLite), so the suites create the accounts
/// first and check that deleting one takes its rows along.
public struct StoreWithAccounts<Store>: Sendable where Store: Sendable {
    public var store: Store
    public var accounts: any AccountStore

    /// Pairs `store` with `accounts` (both on one database, or one ``InMemoryStoreData``).
    public init(store: Store, accounts: any AccountStore) {
        self.store = store
        self.accounts = accounts
    }
}
