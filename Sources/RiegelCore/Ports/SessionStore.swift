/// Persists sessions. Creation, renewal and revocation are committed before
/// they return; activity times arrive in batches.
public protocol SessionStore: Sendable {
    /// Adds a session and, in the same write, records its creation as the
    /// account's last login (`AccountRecord.lastLoginAt`): every session is
    /// made by a login, and one commit per login instead of two matters on
    /// the login path (BENCHMARKS.md).
    func create(_ session: SessionRecord) throws
    /// The session whose current token has this digest (revoked ones included).
    func session(tokenDigest: [UInt8]) throws -> SessionRecord?
    /// The session with this id.
    func session(id: SessionID) throws -> SessionRecord?
    /// Every unrevoked session of `userID`, oldest first.
    func sessions(of userID: UserID) throws -> [SessionRecord]
    /// The ids of `userID`'s live sessions beyond the newest `keeping`, oldest
    /// first: those a cap of `keeping` ends. Live: unrevoked, created after
    /// `createdAfter` and last active after `activeAfter` (as stored). One
    /// short read whatever the user holds, for a cap on a shared store.
    func liveSessions(of userID: UserID, createdAfter: Instant, activeAfter: Instant,
                      beyondNewest keeping: Int) throws -> [SessionID]
    /// ``create(_:)``, then what ``liveSessions(of:createdAfter:activeAfter:beyondNewest:)``
    /// returns for the session's user (the new session counted): a login
    /// that opens a session and counts the cap on a shared store. A store may
    /// do both in one round trip (PostgreSQL does); the default calls the two.
    func create(_ session: SessionRecord, thenLiveSessionsCreatedAfter createdAfter: Instant,
                activeAfter: Instant, beyondNewest keeping: Int) throws -> [SessionID]
    /// Up to `limit` sessions (revoked ones included) with ids after `cursor`
    /// (nil: from the first), in id order: a background load reads a million
    /// page by page, each page one short read. The next cursor is the last id.
    func page(after cursor: SessionID?, limit: Int) throws -> [SessionRecord]
    /// Replaces the token digest (a rise in assurance renews the token) and the
    /// assurance fields (how and when the second factor was last proven).
    func renew(id: SessionID, tokenDigest: [UInt8], assurance: Assurance, secondFactorAt: Instant?,
               secondFactorMethod: AuthenticationMethod?) throws
    /// Ends one session; false if it was unknown or already ended.
    @discardableResult
    func revoke(id: SessionID, reason: String, at: Instant) throws -> Bool
    /// Ends every unrevoked session of `userID` except `keeping`; returns how many ended.
    @discardableResult
    func revokeAll(of userID: UserID, keeping: SessionID?, reason: String, at: Instant) throws -> Int
    /// Ends every unrevoked session that came from `deviceID`; returns their ids.
    @discardableResult
    func revokeAll(ofDevice deviceID: DeviceID, reason: String, at: Instant) throws -> [SessionID]
    /// Records last-activity times in one transaction (a time never moves backwards).
    func recordActivity(_ times: [SessionID: Instant]) throws
    /// Deletes sessions revoked, or last active, before `cutoff`; returns how many.
    @discardableResult
    func deleteInactive(before cutoff: Instant) throws -> Int
}

extension SessionStore {
    /// The two calls, one after the other.
    public func create(_ session: SessionRecord, thenLiveSessionsCreatedAfter createdAfter: Instant,
                       activeAfter: Instant, beyondNewest keeping: Int) throws -> [SessionID] {
        try create(session)
        return try liveSessions(of: session.userID, createdAfter: createdAfter, activeAfter: activeAfter,
                                beyondNewest: keeping)
    }
}
