/// The methods of `io.riegel.Admin`, one async method per IDL method, over the
/// shared connections of a ``RiegelClient`` (get it from ``RiegelClient/admin``).
public struct AdminClient: Sendable {
    let pool: RiegelConnectionPool

    /// A new active key for the purpose; the old one turns decrypt_only and a
    /// background re-wrap moves every long-lived row to the new key, in short
    /// batches, resumed after a restart. With more=true the call streams the
    /// re-wrap's progress until it ends. Refused while the purpose's previous
    /// re-wrap runs (RotationInProgress).
    ///
    /// - Parameters:
    ///   - purpose: what the key protects
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func rotateKey(purpose: KeyPurpose) async throws -> RotateKeyReply {
        try await pool.call(RotateKeyRequest(purpose: purpose))
    }

    /// `io.riegel.Admin.RotateKey` with `more`: the first reply, then one per progress report
    /// until the final one.
    ///
    /// - Returns: the replies as they come; iterating throws ``RiegelClientError``
    ///   (or `CancellationError`). Stopping early closes the call's connection.
    public func rotateKeyProgress(purpose: KeyPurpose) -> AsyncThrowingStream<RotateKeyReply, any Error> {
        pool.stream(RotateKeyRequest(purpose: purpose))
    }

    /// Every key, and the latest re-wrap of each purpose that had one.
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func listKeys() async throws -> ListKeysReply {
        try await pool.call(ListKeysRequest())
    }

    /// Refused for an unknown key (NoSuchKey), the active key (KeyActive) and
    /// while rows still use the key (KeyInUse). A retired key's wrapped material
    /// is erased from the database file and its write-ahead log.
    ///
    /// - Parameters:
    ///   - keyId: e.g. "key-4"
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func retireKey(keyId: String) async throws {
        _ = try await pool.call(RetireKeyRequest(keyId: keyId))
    }

    /// Re-wraps every key that is not retired under a new master key, in one
    /// transaction, and uses it from then on. `credential` is a systemd credential
    /// name (read from $CREDENTIALS_DIRECTORY) or an absolute path to a file of
    /// riegel's uid with mode 0600/0400. Afterwards riegeld starts only with the
    /// new key: point LoadCredential[Encrypted]=riegel-master-key: at it.
    ///
    /// - Parameters:
    ///   - credential: a systemd credential name or an absolute path (see above)
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func rotateMasterKey(credential: String) async throws -> RotateMasterKeyReply {
        try await pool.call(RotateMasterKeyRequest(credential: credential))
    }

    /// An online copy of the whole database, taken with SQLite's backup API from
    /// one consistent moment while riegeld keeps serving, and checked with
    /// PRAGMA integrity_check before it is sent. Call with more=true: each reply
    /// carries the next piece of the file in `data`, the last one also `bytes`,
    /// `pages` and `audit_seq`. The copy holds sealed secrets and the wrapped data
    /// keys, not the master key: keep it like the database. `riegelctl backup
    /// FILE` writes it to a file. Audited (database.backed_up). StorageUnavailable
    /// when the state directory has no room for the copy.
    /// - Returns: the replies as they come, ending with the final one; iterating
    ///   throws ``RiegelClientError`` (or `CancellationError`). The call holds one
    ///   connection until the stream ends; stopping early closes that connection.
    public func backup() -> AsyncThrowingStream<BackupReply, any Error> {
        pool.stream(BackupRequest())
    }

    /// One account by username (NoSuchAccount otherwise); locked_until also
    /// shows a login-throttle lockout.
    ///
    /// - Parameters:
    ///   - username: the account's username
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func getAccount(username: String) async throws -> GetAccountReply {
        try await pool.call(GetAccountRequest(username: username))
    }

    /// Accounts oldest first (by creation time, then user id), a page at a time:
    /// pass the reply's `next` as `after` for the following page (null on the
    /// last one); accounts created meanwhile come at the end, none repeats or is
    /// skipped. Every filter given must hold: `locked` an administrator's lock in
    /// force (true) or none (false); `second_factor` on or off; `created_since`,
    /// `last_login_since` RFC 3339 times (inclusive). `limit` 1..1000, default
    /// 100. Here `locked_until` is the administrator's lock only; GetAccount also
    /// shows a login-throttle lockout. No e-mail, phone or secret is listed.
    /// InvalidFilter for a bad time, limit or cursor.
    ///
    /// - Parameters:
    ///   - locked: only accounts with (true) or without (false) an administrator's lock
    ///   - secondFactor: only accounts with the second factor on (true) or off (false)
    ///   - createdSince: only accounts created at or after this time
    ///   - lastLoginSince: only accounts whose last login is at or after this time
    ///   - limit: accounts per page, 1..1000 (default 100)
    ///   - after: the previous page's next (opaque, signed)
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func listAccounts(locked: Bool? = nil, secondFactor: Bool? = nil, createdSince: String? = nil, lastLoginSince: String? = nil, limit: Int? = nil, after: String? = nil) async throws -> ListAccountsReply {
        try await pool.call(ListAccountsRequest(locked: locked, secondFactor: secondFactor, createdSince: createdSince, lastLoginSince: lastLoginSince, limit: limit, after: after))
    }

    /// Brings in an account from another system with its existing password hash:
    /// argon2id (PHC), $pbkdf2-sha256$ / $pbkdf2-sha512$ (passlib or PHC spelling),
    /// bcrypt ($2a$, $2b$, $2y$) or $scrypt$ (passlib). A legacy hash is replaced
    /// by argon2id at the user's next successful login. riegelctl users import
    /// reads a JSON-lines file and calls this once per line.
    ///
    /// - Parameters:
    ///   - username: the account's username
    ///   - passwordHash: the existing hash (see above for the accepted schemes)
    ///   - email: the e-mail address
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func importAccount(username: String, passwordHash: String, email: String? = nil) async throws -> ImportAccountReply {
        try await pool.call(ImportAccountRequest(username: username, passwordHash: passwordHash, email: email))
    }

    /// Locks the account until the RFC 3339 time, or until unlocked when absent,
    /// and ends its sessions and pending SMS challenges; reason goes to the audit
    /// trail.
    ///
    /// - Parameters:
    ///   - username: the account's username
    ///   - reason: recorded in the audit trail
    ///   - until: an RFC 3339 time; absent: until unlocked
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func lockAccount(username: String, reason: String, until: String? = nil) async throws {
        _ = try await pool.call(LockAccountRequest(username: username, reason: reason, until: until))
    }

    /// Lifts an administrator's lock and a login-throttle lockout.
    ///
    /// - Parameters:
    ///   - username: the account's username
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func unlockAccount(username: String) async throws {
        _ = try await pool.call(UnlockAccountRequest(username: username))
    }

    /// Turns the user's second factor off and removes every factor: the phone,
    /// the authenticator apps and the recovery codes (a lost phone); revokes
    /// every trusted device and ends every session; reason goes to the audit trail.
    ///
    /// - Parameters:
    ///   - username: the account's username
    ///   - reason: recorded in the audit trail
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func resetSecondFactor(username: String, reason: String) async throws {
        _ = try await pool.call(ResetSecondFactorRequest(username: username, reason: reason))
    }

    /// Ends every session of the account; ended counts them.
    ///
    /// - Parameters:
    ///   - username: the account's username
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func revokeSessions(username: String) async throws -> RevokeSessionsReply {
        try await pool.call(RevokeSessionsRequest(username: username))
    }

    /// Stops trusting every browser and app key of the account.
    ///
    /// - Parameters:
    ///   - username: the account's username
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func revokeDevices(username: String) async throws -> RevokeDevicesReply {
        try await pool.call(RevokeDevicesRequest(username: username))
    }

    /// Whether the daemon serves and how its checks went: for riegelctl status
    /// and monitoring. Durations in whole seconds.
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func status() async throws -> StatusReply {
        try await pool.call(StatusRequest())
    }

    /// Figures for monitoring, counted now.
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func stats() async throws -> StatsReply {
        try await pool.call(StatsRequest())
    }

    /// Sends and verification conversion per country over the last `hours`
    /// (default 1): a falling conversion rate is the SMS-pumping signal.
    ///
    /// - Parameters:
    ///   - hours: how far back to count (default 1)
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func smsStats(hours: Int? = nil) async throws -> SmsStatsReply {
        try await pool.call(SmsStatsRequest(hours: hours))
    }
}
