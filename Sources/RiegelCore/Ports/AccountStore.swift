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
    /// The account with this id, read on the connection that writes: inside
    /// a ``TransactionRunner`` scope nothing can change it before the scope
    /// commits (the check before a session is opened).
    func accountForUpdate(id: UserID) throws -> AccountRecord?
    /// Replaces the sealed password hash (a new password) and bumps the
    /// credential generation.
    func updatePasswordHash(id: UserID, _ hash: SealedSecret) throws
    /// Replaces the sealed password hash with another hash of the **same**
    /// password (a rehash at login), only while the credential generation is
    /// still `generation`; does not bump it. Returns whether it replaced it:
    /// a rehash must never undo a password change that came in meanwhile.
    func rehashPassword(id: UserID, _ hash: SealedSecret, ifGeneration generation: Int) throws -> Bool
    /// Sets the verified phone (sealed, with its blind index) and turns the
    /// second factor on; `nil` removes the phone and turns it off. Bumps the
    /// credential generation.
    func setSecondFactor(id: UserID, phone: (sealed: SealedSecret, index: KeyedDigest)?) throws
    /// Turns the second factor on or off, leaving the phone as it is (an
    /// authenticator app is the factor, or the phone went and an app
    /// remains). Bumps the credential generation.
    func setSecondFactorEnabled(id: UserID, _ enabled: Bool) throws
    /// How many accounts exist.
    func count() throws -> Int
    /// Up to `limit` accounts picked at random (without repeats): their
    /// stored hashes stand in for unknown usernames at login, so that an
    /// unknown name costs what the stored hashes cost.
    func randomSample(limit: Int) throws -> [AccountRecord]
    /// Sets or clears the administrator's lock; bumps the credential generation.
    func setLock(id: UserID, until: Instant?) throws
    /// Removes the account and, through foreign keys, everything that belongs to it.
    /// Returns false if there was no such account.
    @discardableResult
    func delete(id: UserID) throws -> Bool
}
