import Logging
import RiegelCore
import Synchronization

/// Opens, checks, lists and ends sessions: the session model every login path uses.
///
/// Checks are served from an in-memory table keyed by the token's digest
/// (no disk I/O, so they may run on an event loop), except while the stored
/// sessions load, where ``checkLoaded(token:touch:)`` leaves a token the
/// table does not hold yet to ``check(token:touch:)``, which reads. On a
/// shared store (riegeld instances sharing PostgreSQL) the table is a cache
/// kept current by a ``SessionChangeFeed`` (this service is its
/// ``SessionChangeSink``): while the feed caught up within
/// ``SessionPolicy/sharedCacheStaleness`` a hit is answered from memory and
/// a miss (or a session idle here, perhaps active on another instance) is
/// read; past that bound every check reads the stored row, and fails with
/// `StorageUnavailable` when the store cannot be read. Creation and
/// revocation are written to the store before they return; activity times
/// reach it in batches (``flush()``), so a crash can only make a session
/// expire early.
/// - Important: tokens are returned once and stored only as SHA-256 digests;
///   expiry is computed from the times on every check, so a check never
///   answers a stale "valid" (security rule 6).
public final class SessionService: Sendable {
    let sessions: any SessionStore
    let accounts: any AccountStore
    let tokens: any TokenGenerator
    let digester: any TokenDigester
    let clock: any WallClock
    let random: any RandomSource
    let audit: AuditRecorder
    let metrics: RiegelMetrics
    let table = SessionTable()
    /// The lifetimes in force.
    public let policy: SessionPolicy
    /// Whether other processes write sessions to the same store (riegeld
    /// instances sharing PostgreSQL): then the table is a cache that a
    /// ``SessionChangeFeed`` keeps current, a session missing from it is
    /// looked up at any time (not only while the table loads), and while the
    /// feed is behind by more than ``SessionPolicy/sharedCacheStaleness`` the
    /// stored row decides every check.
    let sharedStore: Bool
    /// When the change feed last caught up, as the bit pattern of its
    /// seconds since the epoch (0: never): what changed in the store before it
    /// is in the table. An atomic, not a lock: every check on a shared store
    /// reads it, on the event loop.
    let caughtUpBits = Atomic<UInt64>(0)

    /// A session as a check found it.
    public struct Checked: Sendable {
        public var id: SessionID
        public var userID: UserID
        public var info: SessionInfo
        /// How the session was opened (step-up decisions need it).
        public var method: AuthenticationMethod
        /// How its second factor was last proven (nil: never); credential
        /// changes need `sms` or `device_key` (``CredentialChangeRule``).
        public var secondFactorMethod: AuthenticationMethod?
    }

    /// A service over the given ports; call ``load()`` before serving.
    public init(sessions: any SessionStore, accounts: any AccountStore, tokens: any TokenGenerator,
                digester: any TokenDigester, clock: any WallClock, random: any RandomSource, policy: SessionPolicy,
                audit: AuditRecorder, metrics: RiegelMetrics = .off, sharedStore: Bool = false) {
        self.sharedStore = sharedStore
        self.sessions = sessions
        self.accounts = accounts
        self.tokens = tokens
        self.digester = digester
        self.clock = clock
        self.random = random
        self.policy = policy
        self.audit = audit
        self.metrics = metrics
    }

    /// Reports the live-session figure (`riegel_sessions_live`): unrevoked
    /// sessions held, exact after each sweep (see ``SessionTable/unrevokedCount``).
    func reportLive() {
        metrics.setLiveSessions(table.unrevokedCount)
    }

    /// Fills the table from the store at once (``beginLoading()`` and every
    /// page of ``loadStoredPage(after:limit:)``); returns how many live sessions
    /// it loaded. riegeld loads in the background instead, after `READY=1`.
    @discardableResult
    public func load() throws -> Int {
        beginLoading()
        var cursor: SessionID?
        var loaded = 0
        repeat {
            let page = try loadStoredPage(after: cursor)
            loaded += page.added
            cursor = page.next
        } while cursor != nil
        return loaded
    }

    /// Marks the table incomplete, so checks can be served before the stored
    /// sessions are in memory: until the last page of
    /// ``loadStoredPage(after:limit:)``, a token (or id, or user) the table
    /// does not hold is looked up in the store and, if it can be valid, added.
    ///
    /// - Important: security rule 6 holds throughout: a stored session is
    ///   judged by the same rule whether a page or a lookup brings it in
    ///   (``admits(_:now:)``), and a revocation made meanwhile wins over a page
    ///   read before it (``SessionTable/insertIfAbsent(_:username:)``).
    public func beginLoading() {
        table.beginLoading()
    }

    /// Loads the stored sessions with ids after `cursor` (one short read of
    /// `limit` rows, then one account read per user the table does not know
    /// yet) that can still be valid: unrevoked ones not yet expired, and, as
    /// tombstones, revoked ones that would otherwise still be live (so their
    /// tokens answer `SessionExpired(revoked)`, not `InvalidToken`, after a
    /// restart). Sessions of deleted accounts are skipped. Returns the next
    /// cursor (nil after the last page: the table is then complete) and how
    /// many live sessions it added.
    public func loadStoredPage(after cursor: SessionID?, limit: Int = 1000) throws -> (next: SessionID?, added: Int) {
        let read = table.beginRead()
        defer { table.endRead(read) }
        let page = try sessions.page(after: cursor, limit: limit)
        let now = clock.now()
        var added = 0
        for record in page where try admit(record, now: now, readAt: read) { added += 1 }
        reportLive()
        guard let last = page.last, page.count == limit else {
            table.finishLoading()
            return (nil, added)
        }
        return (last.id, added)
    }

    /// Whether the table is still incomplete (stored sessions being loaded).
    public var isLoading: Bool { table.isLoading }

    /// Whether a stored session belongs in the table at `now`.
    func admits(_ r: SessionRecord, now: Instant) -> Bool {
        guard let revokedAt = r.revokedAt else { return policy.endReason(of: r, now: now) == nil }
        return revokedAt >= now.adding(seconds: -policy.idleTimeout)
            && policy.endReason(revoked: false, createdAt: r.createdAt, lastActivityAt: r.lastActivityAt, now: now) == nil
    }

    /// Adds a stored session the table does not hold, if it belongs there,
    /// its account still exists and it did not change since the read at
    /// `readAt` began; true if it added a live one.
    private func admit(_ r: SessionRecord, now: Instant, readAt: UInt64) throws -> Bool {
        guard admits(r, now: now) else { return false }
        let name: String
        if let known = table.username(of: r.userID) {
            name = known
        } else if let account = try accounts.account(id: r.userID) {
            name = account.username.value
        } else {
            return false  // the account is gone, and so are its sessions
        }
        return table.insertIfAbsent(r, username: name, readAt: readAt) && r.revokedAt == nil
    }

    /// Puts a stored session read at `readAt` into the table: replaces what
    /// the table holds of it (the later activity time wins), or admits it.
    private func absorb(_ r: SessionRecord, now: Instant, readAt: UInt64) throws {
        if table.holds(id: r.id), let name = table.username(of: r.userID) {
            table.insert(r, username: name, readAt: readAt)
        } else {
            _ = try admit(r, now: now, readAt: readAt)
        }
    }

    /// Whether memory holds every change of the shared store up to
    /// ``SessionPolicy/sharedCacheStaleness`` ago (always true on a store of
    /// this process alone).
    func cacheIsCurrent(at now: Instant) -> Bool {
        guard sharedStore else { return true }
        guard let at = changesCaughtUpAt else { return false }
        return now.seconds(since: at) <= policy.sharedCacheStaleness
    }

    /// While loading, or on a shared store: brings the session with this id
    /// into the table if stored (on a shared store whose feed is behind,
    /// reads it again even if held).
    private func fetch(id: SessionID) throws {
        guard table.isLoading || sharedStore else { return }
        if table.holds(id: id), !sharedStore || cacheIsCurrent(at: clock.now()) { return }
        let read = table.beginRead()
        defer { table.endRead(read) }
        guard let r = try sessions.session(id: id) else { return }
        try absorb(r, now: clock.now(), readAt: read)
    }

    /// While loading (or on a shared store): brings every unrevoked stored session of `userID` into the table.
    private func fetch(user userID: UserID) throws {
        guard table.isLoading || sharedStore else { return }
        let read = table.beginRead()
        defer { table.endRead(read) }
        let now = clock.now()
        for r in try sessions.sessions(of: userID) { _ = try admit(r, now: now, readAt: read) }
    }

    /// Opens a session for `account`, written through before it returns. If
    /// the user then holds more than `maxPerUser`, the oldest ones end.
    ///
    /// - Parameter deviceID: the trusted device or app key the login came
    ///   from (or that `remember_device` just trusted): revoking that device
    ///   ends this session (``endAll(ofDevice:reason:)``).
    public func open(for account: AccountRecord, assurance: Assurance, method: AuthenticationMethod,
                     client: ClientContext, deviceID: DeviceID? = nil) throws -> NewSession {
        let now = clock.now()
        let token = tokens.newToken()
        let record = SessionRecord(
            id: SessionID.random(using: random), userID: account.id, tokenDigest: digester.digest(ofToken: token),
            assurance: assurance, method: method, createdAt: now, authenticatedAt: now,
            secondFactorAt: assurance == .secondFactor ? now : nil,
            secondFactorMethod: assurance == .secondFactor ? method : nil, lastActivityAt: now,
            clientIP: client.ip, userAgent: client.userAgent, deviceID: deviceID)
        if sharedStore {
            // Every instance's sessions are in the store, so the cap is counted
            // there, with the insert: not the user's sessions loaded into this
            // table on every login (at the cap, 50 rows a login). Last
            // activity as flushed, which lags this table by at most the flush interval.
            let beyond = try sessions.create(record, thenLiveSessionsCreatedAfter: now.adding(seconds: -policy.absoluteTimeout),
                                             activeAfter: now.adding(seconds: -policy.idleTimeout),
                                             beyondNewest: policy.maxPerUser)
            table.insert(record, username: account.username.value)
            for id in beyond { try endForCap(id, of: account.id, username: account.username.value, now: now) }
        } else {
            try fetch(user: account.id)
            try sessions.create(record)
            table.insert(record, username: account.username.value)
            try enforceCap(of: account.id, username: account.username.value, now: now)
        }
        reportLive()
        // On a shared store the change feed may already have dropped it again (a reset).
        let entry = table.entry(id: record.id) ?? SessionTable.Entry(record, username: account.username.value)
        return NewSession(token: token, info: SessionInfo(entry, policy: policy))
    }

    /// Ends the oldest live sessions of `userID` beyond `maxPerUser` (audited
    /// `session_cap`); returns how many.
    @discardableResult
    private func enforceCap(of userID: UserID, username: String, now: Instant) throws -> Int {
        // The user's set holds unrevoked sessions only: at or below the cap, nothing to walk.
        guard table.unrevokedCount(of: userID) > policy.maxPerUser else { return 0 }
        let live = table.entries(of: userID)
            .filter { policy.endReason(revoked: $0.revoked, createdAt: $0.createdAt, lastActivityAt: $0.lastActivityAt, now: now) == nil }
        for oldest in live.prefix(max(0, live.count - policy.maxPerUser)) {
            try endForCap(oldest.id, of: userID, username: username, now: now)
        }
        return max(0, live.count - policy.maxPerUser)
    }

    private func endForCap(_ id: SessionID, of userID: UserID, username: String, now: Instant) throws {
        let ended = try sessions.revoke(id: id, reason: "session_cap", at: now)
        table.markRevoked([id])
        // Ended meanwhile by a logout or another instance: not this cap's doing.
        guard ended else { return }
        audit.record(.sessionRevoked, .success, user: userID, username: username,
                     reason: "session_cap", details: ["session_id": id.rawValue])
    }

    /// The valid session for `token`, from memory only (no disk I/O: fit
    /// for an event loop). Nil when memory cannot decide: while the stored
    /// sessions are still loading and the table does not hold the token yet;
    /// on a shared store, for a token the table does not hold, a session that
    /// looks idle here (another instance may have seen activity), and for
    /// every token while the change feed is behind by more than
    /// ``SessionPolicy/sharedCacheStaleness``. Then ``check(token:touch:)``
    /// decides, reading the store.
    ///
    /// - Parameter touch: whether this check counts as user activity.
    /// - Throws: `InvalidToken` for a token never issued (or long gone),
    ///   `SessionExpired(reason)` for one that ended.
    public func checkLoaded(token: String, touch: Bool = true) throws(RiegelError) -> Checked? {
        try check(token: token, touch: touch, mayReadStore: false)
    }

    /// The valid session for `token`: from memory, and from the store where
    /// ``checkLoaded(token:touch:)`` cannot decide (one indexed read; not for
    /// an event loop then).
    ///
    /// - Parameter touch: whether this check counts as user activity.
    /// - Throws: `InvalidToken` for a token never issued (or long gone),
    ///   `SessionExpired(reason)` for one that ended, `StorageUnavailable`
    ///   if the store cannot be read.
    public func check(token: String, touch: Bool = true) throws(RiegelError) -> Checked {
        // Never nil when the store may be read.
        try check(token: token, touch: touch, mayReadStore: true)!
    }

    private func check(token: String, touch: Bool, mayReadStore: Bool) throws(RiegelError) -> Checked? {
        let now = clock.now()
        let policy = self.policy
        let key = digester.withDigest(ofToken: token) { TokenDigestKey(bytes: $0) }
        let judge = { (revoked: Bool, createdAt: Instant, lastActivityAt: Instant) in
            policy.endReason(revoked: revoked, createdAt: createdAt, lastActivityAt: lastActivityAt, now: now)
        }
        var found: SessionTable.Lookup?
        if sharedStore {
            if cacheIsCurrent(at: now) {
                found = table.lookup(key, touchAt: touch ? now : nil, endReason: judge)
                switch found {
                case .valid?: break
                case .ended(let reason)? where reason != .idle: break
                default:
                    // Not held (issued on another instance, or changed there and
                    // forgotten here), or idle here but perhaps active elsewhere.
                    guard mayReadStore else { return nil }
                    let idleHere = found
                    // No row: invalid, unless it ended idle here (then the sweep took the row).
                    found = try readThrough(token: token, key: key, now: now, touch: touch, judge: judge) ?? idleHere
                }
            } else {
                // The feed is behind: another instance's revocation may not be
                // here yet, so the stored row decides.
                guard mayReadStore else { return nil }
                found = try readThrough(token: token, key: key, now: now, touch: touch, judge: judge)
            }
        } else {
            found = table.lookup(key, touchAt: touch ? now : nil, endReason: judge)
            if found == nil, table.isLoading {
                guard mayReadStore else { return nil }
                // Not loaded yet (or never issued): the store decides, by the loader's rule.
                do {
                    let read = table.beginRead()
                    defer { table.endRead(read) }
                    if let r = try sessions.session(tokenDigest: digester.digest(ofToken: token)) {
                        _ = try admit(r, now: now, readAt: read)
                        found = table.lookup(key, touchAt: touch ? now : nil, endReason: judge)
                    }
                } catch {
                    throw .storageUnavailable
                }
            }
        }
        switch found {
        case nil: throw .invalidToken
        case .ended(let reason)?: throw .sessionExpired(reason)
        case .valid(let entry)?:
            return Checked(id: entry.id, userID: entry.userID, info: SessionInfo(entry, policy: policy),
                           method: entry.method, secondFactorMethod: entry.secondFactorMethod)
        }
    }

    /// Reads the stored row of `token` into the table and looks it up again.
    /// Nil when no row has this digest (never issued, long gone, or renewed
    /// on another instance), whatever the table still holds. A row read
    /// before the feed reported a change to it is read again.
    private func readThrough(token: String, key: TokenDigestKey, now: Instant, touch: Bool,
                             judge: (Bool, Instant, Instant) -> SessionEndReason?) throws(RiegelError) -> SessionTable.Lookup? {
        do {
            for _ in 0..<3 {
                let read = table.beginRead()
                defer { table.endRead(read) }
                guard let r = try sessions.session(tokenDigest: digester.digest(ofToken: token)) else { return nil }
                try absorb(r, now: now, readAt: read)
                if table.changed(id: r.id, since: read) { continue }
                return table.lookup(key, touchAt: touch ? now : nil, endReason: judge)
            }
        } catch {
            throw .storageUnavailable
        }
        // Changed under three reads in a row: say so rather than guess.
        throw .storageUnavailable
    }

    /// Raises a live session to `second_factor`, proven now by a code of
    /// `method` (an SMS code by default; a TOTP or recovery code: step-up,
    /// phone or app enrolment; its second factor method becomes `method`,
    /// whatever opened it), and renews its token (security rule 5): the reply
    /// carries the new token, the old one stops working, the session id
    /// stays. Written through before it returns.
    ///
    /// - Throws: `SessionExpired` if the session ended meanwhile.
    public func elevate(id: SessionID, reason: String, method: AuthenticationMethod = .sms) throws -> NewSession {
        let now = clock.now()
        guard let entry = try heldEntry(id: id) else { throw RiegelError.sessionExpired(.unknown) }
        if let ended = policy.endReason(revoked: entry.revoked, createdAt: entry.createdAt,
                                        lastActivityAt: entry.lastActivityAt, now: now) {
            throw RiegelError.sessionExpired(ended)
        }
        let token = tokens.newToken()
        let digest = digester.digest(ofToken: token)
        try sessions.renew(id: id, tokenDigest: digest, assurance: .secondFactor, secondFactorAt: now,
                           secondFactorMethod: method)
        table.renew(id: id, digest: digest, assurance: .secondFactor, secondFactorAt: now, secondFactorMethod: method)
        audit.record(.sessionElevated, .success, user: entry.userID, username: entry.username, reason: reason,
                     details: ["session_id": id.rawValue])
        // On a shared store this instance's own change may already have made the feed drop it.
        var renewed = table.entry(id: id) ?? entry
        (renewed.assurance, renewed.secondFactorAt, renewed.secondFactorMethod) = (.secondFactor, now, method)
        return NewSession(token: token, info: SessionInfo(renewed, policy: policy))
    }

    /// Lowers a session to `password` (its user turned the second factor off):
    /// the elevation is gone, the token stays.
    public func demote(id: SessionID) throws {
        let held = try heldEntry(id: id)
        // Not held: swept (gone) on a store of its own; on a shared store the
        // change feed may just have dropped it, and the stored row decides.
        guard held != nil || sharedStore, let stored = try sessions.session(id: id) else { return }
        try sessions.renew(id: id, tokenDigest: stored.tokenDigest, assurance: .password, secondFactorAt: nil,
                           secondFactorMethod: nil)
        table.renew(id: id, digest: stored.tokenDigest, assurance: .password, secondFactorAt: nil,
                    secondFactorMethod: nil)
        audit.record(.sessionDemoted, .success, user: stored.userID,
                     username: held?.username ?? table.username(of: stored.userID),
                     details: ["session_id": id.rawValue])
    }

    /// The table's entry for `id`, fetched first where the table may lack it
    /// (``fetch(id:)``). On a shared store the change feed can drop it again
    /// between the fetch and the lookup (a change to it, perhaps this
    /// instance's own): then it is fetched once more.
    private func heldEntry(id: SessionID) throws -> SessionTable.Entry? {
        try fetch(id: id)
        if let entry = table.entry(id: id) { return entry }
        guard sharedStore else { return nil }
        try fetch(id: id)
        return table.entry(id: id)
    }

    /// Whether the session `id` is live now (not revoked, not expired): a
    /// pending change a session started dies with it.
    public func isLive(id: SessionID) -> Bool {
        guard let entry = try? heldEntry(id: id) else { return false }
        return policy.endReason(revoked: entry.revoked, createdAt: entry.createdAt,
                                lastActivityAt: entry.lastActivityAt, now: clock.now()) == nil
    }

    /// The device (browser or app key) the session `id` came from, if any
    /// (read from the store: for provenance, not on a hot path).
    public func device(ofSession id: SessionID) throws -> DeviceID? {
        try sessions.session(id: id)?.deviceID
    }

    /// Ends the session of `token`.
    public func logout(token: String) throws {
        let checked = try check(token: token, touch: false)
        try sessions.revoke(id: checked.id, reason: "logout", at: clock.now())
        table.markRevoked([checked.id])
        reportLive()
        audit.record(.sessionRevoked, .success, user: checked.userID, username: checked.info.username,
                     reason: "logout", details: ["session_id": checked.id.rawValue])
    }

    /// Ends every other session of the user of `token`; returns how many.
    public func logoutOthers(token: String) throws -> Int {
        let checked = try check(token: token)
        return try endAll(of: checked.userID, keeping: checked.id, reason: "logout_others")
    }

    /// The live sessions of the user of `token`, oldest first, with client info.
    public func list(token: String) throws -> [(info: SessionInfo, clientIP: String?, userAgent: String?, method: AuthenticationMethod)] {
        let checked = try check(token: token)
        try fetch(user: checked.userID)
        let now = clock.now()
        let stored = Dictionary(try sessions.sessions(of: checked.userID).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return table.entries(of: checked.userID)
            .filter { policy.endReason(revoked: $0.revoked, createdAt: $0.createdAt, lastActivityAt: $0.lastActivityAt, now: now) == nil }
            .map { (SessionInfo($0, policy: policy), stored[$0.id]?.clientIP, stored[$0.id]?.userAgent, $0.method) }
    }

    /// Ends every session of `userID` except `keeping`; returns how many.
    @discardableResult
    public func endAll(of userID: UserID, keeping: SessionID? = nil, reason: String) throws -> Int {
        try fetch(user: userID)
        let ended = try sessions.revokeAll(of: userID, keeping: keeping, reason: reason, at: clock.now())
        table.markRevoked(table.entries(of: userID).map(\.id).filter { $0 != keeping })
        reportLive()
        if ended > 0 {
            audit.record(.sessionRevoked, .success, user: userID, reason: reason, details: ["count": "\(ended)"])
        }
        return ended
    }

    /// Ends every session that came from `deviceID` (it was revoked); returns how many.
    @discardableResult
    public func endAll(ofDevice deviceID: DeviceID, reason: String) throws -> Int {
        let ended = try sessions.revokeAll(ofDevice: deviceID, reason: reason, at: clock.now())
        guard !ended.isEmpty else { return 0 }
        try fetch(id: ended[0])
        let user = table.entry(id: ended[0])?.userID
        table.markRevoked(ended)
        reportLive()
        audit.record(.sessionRevoked, .success, user: user, reason: reason,
                     details: ["count": "\(ended.count)", "device_id": deviceID.rawValue])
        return ended.count
    }

    /// Writes the activity times collected since the last flush; returns how many.
    @discardableResult
    public func flush() throws -> Int {
        let dirty = table.takeDirty()
        if dirty.isEmpty { return 0 }
        do {
            try sessions.recordActivity(dirty)
        } catch {
            table.restoreDirty(dirty)
            throw error
        }
        return dirty.count
    }

    /// Drops expired and revoked sessions from memory and the store; returns
    /// how many left memory. A revoked session stays as a tombstone until it
    /// would have expired anyway, so its token keeps answering "revoked".
    @discardableResult
    public func sweep() throws -> Int {
        let now = clock.now()
        let dropped = table.sweep { createdAt, lastActivityAt in
            policy.endReason(revoked: false, createdAt: createdAt, lastActivityAt: lastActivityAt, now: now) != nil
        }
        reportLive()
        try flush()
        try sessions.deleteInactive(before: now.adding(seconds: -policy.idleTimeout))
        return dropped
    }

    /// Live sessions of `userID`.
    public func liveCount(of userID: UserID) -> Int {
        try? fetch(user: userID)
        let now = clock.now()
        return table.entries(of: userID).filter {
            policy.endReason(revoked: $0.revoked, createdAt: $0.createdAt, lastActivityAt: $0.lastActivityAt, now: now) == nil
        }.count
    }

    /// Live sessions of all users (an admin figure: walks the whole table;
    /// while stored sessions are still loading, only those held so far).
    public func liveCount() -> Int {
        let now = clock.now()
        return table.count { revoked, createdAt, lastActivityAt in
            policy.endReason(revoked: revoked, createdAt: createdAt, lastActivityAt: lastActivityAt, now: now) == nil
        }
    }

    /// Sessions held in memory (tombstones included).
    public var count: Int { table.count }
}
