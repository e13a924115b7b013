/// Persists accounts. Writes are committed before they return.
public protocol AccountStore: Sendable {
    /// Adds `account`; throws ``AccountStoreError/usernameTaken`` if an account
    /// with the same `username.canonicalKey` exists.
    func create(_ account: AccountRecord) throws
    /// The account with this id, if any.
    func account(id: UserID) throws -> AccountRecord?
    /// The account whose username has this canonical key, if any.
    func account(usernameKey: String) throws -> AccountRecord?
    /// Accounts whose e-mail blind index equals one of `emailIndexes` (one per usable `pii` key).
    func accounts(emailIndexes: [KeyedDigest]) throws -> [AccountRecord]
    /// Replaces the sealed password hash.
    func updatePasswordHash(id: UserID, _ hash: SealedSecret) throws
    /// Sets the time of the last successful login.
    func recordLogin(id: UserID, at: Instant) throws
    /// Sets the verified phone (sealed, with its blind index) and turns the
    /// second factor on; `nil` removes the phone and turns it off.
    func setSecondFactor(id: UserID, phone: (sealed: SealedSecret, index: KeyedDigest)?) throws
    /// How many accounts exist.
    func count() throws -> Int
    /// Sets or clears the administrator's lock.
    func setLock(id: UserID, until: Instant?) throws
    /// Removes the account and, through foreign keys, everything that belongs to it.
    /// Returns false if there was no such account.
    @discardableResult
    func delete(id: UserID) throws -> Bool
}

/// Failures of an ``AccountStore`` that callers act on.
public enum AccountStoreError: Error, Sendable, Hashable {
    /// Another account has the same canonical username.
    case usernameTaken
}
