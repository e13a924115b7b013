import RiegelCore
import Synchronization

/// The in-memory table of sessions, keyed by token digest: authoritative for
/// checks, so a check does no disk I/O.
///
/// Compact by design (BENCHMARKS.md: memory per session): a slot holds the
/// session id as 16 bytes, an index into an interned user table, and times
/// as doubles; strings are made only for the entry a caller asks for.
/// Revoked sessions stay as tombstones until the sweeper drops them, so a
/// revoked token answers `SessionExpired(revoked)`, not `InvalidToken`.
/// Activity times are collected as "dirty" for the flusher to write in batches.
///
/// While the stored sessions are still being loaded (``beginLoading()`` to
/// ``finishLoading()``) the table is not complete: the service looks a miss
/// up in the store and adds what it finds with ``insertIfAbsent(_:username:)``,
/// as the background loader does. What changed meanwhile wins over what a
/// page read before: a revocation of a session not yet held is remembered and
/// applied when it arrives, and so is a new username.
///
/// On a shared store the table is a cache: other instances' changes arrive
/// as ``forget(_:)`` (or ``forgetAll()``), and a row read before a change
/// (``beginRead()``) is not put back after it: every insert of a read row
/// names the read's epoch and is refused if its session changed since.
final class SessionTable: Sendable {
    /// A session as callers see it.
    struct Entry: Sendable {
        var id: SessionID
        var userID: UserID
        var username: String
        var assurance: Assurance
        var method: AuthenticationMethod
        var createdAt: Instant
        var authenticatedAt: Instant
        var secondFactorAt: Instant?
        /// How the second factor was last proven (nil: never).
        var secondFactorMethod: AuthenticationMethod?
        var lastActivityAt: Instant
        var revoked: Bool

        /// The entry a stored session makes (what the table would hold of it).
        init(_ r: SessionRecord, username: String) {
            self.init(id: r.id, userID: r.userID, username: username, assurance: r.assurance, method: r.method,
                      createdAt: r.createdAt, authenticatedAt: r.authenticatedAt, secondFactorAt: r.secondFactorAt,
                      secondFactorMethod: r.secondFactorMethod, lastActivityAt: r.lastActivityAt,
                      revoked: r.revokedAt != nil)
        }

        init(id: SessionID, userID: UserID, username: String, assurance: Assurance, method: AuthenticationMethod,
             createdAt: Instant, authenticatedAt: Instant, secondFactorAt: Instant?,
             secondFactorMethod: AuthenticationMethod?, lastActivityAt: Instant, revoked: Bool) {
            self.id = id
            self.userID = userID
            self.username = username
            self.assurance = assurance
            self.method = method
            self.createdAt = createdAt
            self.authenticatedAt = authenticatedAt
            self.secondFactorAt = secondFactorAt
            self.secondFactorMethod = secondFactorMethod
            self.lastActivityAt = lastActivityAt
            self.revoked = revoked
        }
    }

    /// What the table keeps per session.
    private struct Slot {
        var key: SessionKey
        var user: UInt32
        var assurance: Assurance
        var method: AuthenticationMethod
        var secondFactorMethod: AuthenticationMethod?
        var revoked: Bool
        var createdAt: Double
        var authenticatedAt: Double
        var secondFactorAt: Double  // NaN: never
        var lastActivityAt: Double
    }

    /// One user, shared by all of its sessions.
    private struct User {
        var id: UserID
        var username: String
        /// The user's unrevoked sessions (tombstones leave the set when revoked).
        var sessions: Set<SessionKey>
    }

    private struct State {
        var slots: [TokenDigestKey: Slot] = [:]
        var digestByKey: [SessionKey: TokenDigestKey] = [:]
        var users: [User] = []
        var userIndex: [UserID: UInt32] = [:]
        var irregularIDs: [SessionKey: SessionID] = [:]
        var dirty: [SessionKey: Double] = [:]
        /// Keys in the users' sets: unrevoked sessions held (expired ones until swept).
        var unrevoked = 0
        /// Whether stored sessions are still being loaded (the table is incomplete).
        var loading = false
        /// While loading: sessions revoked before the table held them.
        var revokedWhileLoading: Set<SessionKey> = []
        /// While loading: usernames set before the table held the user.
        var namesWhileLoading: [UserID: String] = [:]
        /// Counts ``forget(_:)`` and ``forgetAll()`` calls: a read notes it first.
        var epoch: UInt64 = 0
        /// The epoch at which each session was last forgotten (while reads older than it run).
        var changedAt: [SessionKey: UInt64] = [:]
        /// The epoch of the last ``forgetAll()``.
        var clearedAt: UInt64 = 0
        /// The epochs of reads under way (how many of each).
        var reads: [UInt64: Int] = [:]

        /// Whether the session `key` changed after a read at `epoch` began.
        func changed(_ key: SessionKey, since epoch: UInt64?) -> Bool {
            guard let epoch else { return false }
            return clearedAt > epoch || (changedAt[key] ?? 0) > epoch
        }

        /// Drops change marks no read under way can be refused by.
        mutating func pruneChanges() {
            guard let oldest = reads.keys.min() else { changedAt = [:]; return }
            changedAt = changedAt.filter { $0.value > oldest }
        }

        mutating func user(_ id: UserID, _ username: String) -> UInt32 {
            if let i = userIndex[id] {
                if users[Int(i)].username != username { users[Int(i)].username = username }
                return i
            }
            let i = UInt32(users.count)
            users.append(User(id: id, username: username, sessions: []))
            userIndex[id] = i
            return i
        }

        mutating func key(of id: SessionID) -> SessionKey {
            if let k = SessionKey(canonical: id) { return k }
            let k = SessionKey(irregular: id)
            irregularIDs[k] = id
            return k
        }

        func existingKey(of id: SessionID) -> SessionKey {
            SessionKey(canonical: id) ?? SessionKey(irregular: id)
        }

        func entry(_ s: Slot) -> Entry {
            let u = users[Int(s.user)]
            let irregular = irregularIDs.isEmpty ? nil : irregularIDs[s.key]
            return Entry(id: irregular ?? s.key.canonicalID, userID: u.id, username: u.username,
                         assurance: s.assurance, method: s.method,
                         createdAt: Instant(secondsSinceEpoch: s.createdAt),
                         authenticatedAt: Instant(secondsSinceEpoch: s.authenticatedAt),
                         secondFactorAt: s.secondFactorAt.isNaN ? nil : Instant(secondsSinceEpoch: s.secondFactorAt),
                         secondFactorMethod: s.secondFactorMethod,
                         lastActivityAt: Instant(secondsSinceEpoch: s.lastActivityAt), revoked: s.revoked)
        }

        mutating func remove(_ digest: TokenDigestKey) {
            guard let s = slots.removeValue(forKey: digest) else { return }
            digestByKey[s.key] = nil
            dirty[s.key] = nil
            irregularIDs[s.key] = nil
            if users[Int(s.user)].sessions.remove(s.key) != nil { unrevoked -= 1 }
        }
    }

    private let state = Mutex(State())

    /// Adds (or replaces) a session. A replaced session keeps the later of
    /// the two activity times, and stays revoked if it was.
    ///
    /// - Parameter readAt: the epoch of the read that found `r` (``beginRead()``);
    ///   if the session changed since, nothing is inserted.
    func insert(_ r: SessionRecord, username: String, readAt: UInt64? = nil) {
        let digest = TokenDigestKey(r.tokenDigest)
        state.withLock { s in
            let key = s.key(of: r.id)
            guard !s.changed(key, since: readAt) else { return }
            var lastActivity = r.lastActivityAt.secondsSinceEpoch
            var revoked = r.revokedAt != nil
            if let old = s.digestByKey[key], let slot = s.slots.removeValue(forKey: old) {
                lastActivity = max(lastActivity, slot.lastActivityAt)
                revoked = revoked || slot.revoked
                if s.users[Int(slot.user)].sessions.remove(key) != nil { s.unrevoked -= 1 }
            }
            let user = s.user(r.userID, username)
            s.slots[digest] = Slot(key: key, user: user, assurance: r.assurance, method: r.method,
                                   secondFactorMethod: r.secondFactorMethod, revoked: revoked, createdAt: r.createdAt.secondsSinceEpoch,
                                   authenticatedAt: r.authenticatedAt.secondsSinceEpoch,
                                   secondFactorAt: r.secondFactorAt?.secondsSinceEpoch ?? .nan,
                                   lastActivityAt: lastActivity)
            s.digestByKey[key] = digest
            if revoked { s.dirty[key] = nil }
            if !revoked, s.users[Int(user)].sessions.insert(key).inserted { s.unrevoked += 1 }
        }
    }

    /// Adds a stored session unless the table already holds its id (what
    /// the table holds is newer than any page read before); a session revoked
    /// or a user renamed meanwhile arrives revoked or renamed; one changed
    /// since the read at `readAt` (``beginRead()``) is not added. Returns whether it was added.
    @discardableResult
    func insertIfAbsent(_ r: SessionRecord, username: String, readAt: UInt64? = nil) -> Bool {
        let digest = TokenDigestKey(r.tokenDigest)
        return state.withLock { s in
            guard s.digestByKey[s.existingKey(of: r.id)] == nil, s.slots[digest] == nil,
                  !s.changed(s.existingKey(of: r.id), since: readAt) else { return false }
            let key = s.key(of: r.id)
            let revoked = r.revokedAt != nil || s.revokedWhileLoading.contains(key)
            let user: UInt32
            if let i = s.userIndex[r.userID] {
                user = i  // the name it holds is newer than the page's
            } else {
                user = s.user(r.userID, s.namesWhileLoading[r.userID] ?? username)
            }
            s.slots[digest] = Slot(key: key, user: user, assurance: r.assurance, method: r.method,
                                   secondFactorMethod: r.secondFactorMethod, revoked: revoked,
                                   createdAt: r.createdAt.secondsSinceEpoch,
                                   authenticatedAt: r.authenticatedAt.secondsSinceEpoch,
                                   secondFactorAt: r.secondFactorAt?.secondsSinceEpoch ?? .nan,
                                   lastActivityAt: r.lastActivityAt.secondsSinceEpoch)
            s.digestByKey[key] = digest
            if !revoked, s.users[Int(user)].sessions.insert(key).inserted { s.unrevoked += 1 }
            return true
        }
    }

    /// The username the table holds for `userID` (nil: no session of it held).
    func username(of userID: UserID) -> String? {
        state.withLock { s in s.userIndex[userID].map { s.users[Int($0)].username } }
    }

    /// Whether the table holds the session with this id.
    func holds(id: SessionID) -> Bool {
        state.withLock { s in s.digestByKey[s.existingKey(of: id)] != nil }
    }

    /// Notes that a read of the store begins: pass the epoch it returns to the
    /// inserts of what it read, and to ``endRead(_:)`` when it is done.
    func beginRead() -> UInt64 {
        state.withLock { s in
            s.reads[s.epoch, default: 0] += 1
            return s.epoch
        }
    }

    /// Notes that the read begun at `epoch` is done.
    func endRead(_ epoch: UInt64) {
        state.withLock { s in
            if let n = s.reads[epoch], n > 1 { s.reads[epoch] = n - 1 } else { s.reads[epoch] = nil }
            s.pruneChanges()
        }
    }

    /// Whether the session `id` changed (``forget(_:)``, ``forgetAll()``) after the read at `epoch` began.
    func changed(id: SessionID, since epoch: UInt64) -> Bool {
        state.withLock { s in s.changed(s.existingKey(of: id), since: epoch) }
    }

    /// Drops these sessions (another instance changed them in the shared
    /// store), unflushed activity included; a read begun before is not put back.
    func forget(_ ids: some Sequence<SessionID>) {
        state.withLock { s in
            s.epoch += 1
            for id in ids {
                let k = s.existingKey(of: id)
                if let d = s.digestByKey[k] { s.remove(d) }
                if !s.reads.isEmpty { s.changedAt[k] = s.epoch }
            }
        }
    }

    /// Drops every session (changes may have been missed); reads begun before are not put back.
    func forgetAll() {
        state.withLock { s in
            s.epoch += 1
            s.clearedAt = s.epoch
            s.slots = [:]
            s.digestByKey = [:]
            s.irregularIDs = [:]
            s.dirty = [:]
            s.unrevoked = 0
            for i in s.users.indices { s.users[i].sessions = [] }
            s.changedAt = [:]
        }
    }

    /// Marks the table incomplete: stored sessions are being loaded.
    func beginLoading() {
        state.withLock { $0.loading = true }
    }

    /// Marks the table complete: every stored session that can be valid is held.
    func finishLoading() {
        state.withLock { s in
            s.loading = false
            s.revokedWhileLoading = []
            s.namesWhileLoading = [:]
        }
    }

    /// Whether stored sessions are still being loaded.
    var isLoading: Bool { state.withLock { $0.loading } }

    /// Sets the username shown for every session of `userID`.
    func setUsername(_ username: String, of userID: UserID) {
        state.withLock { s in
            if let i = s.userIndex[userID] {
                s.users[Int(i)].username = username
            } else if s.loading {
                s.namesWhileLoading[userID] = username
            }
        }
    }

    /// Drops every session of `userID`; returns how many.
    func removeAll(of userID: UserID) -> Int {
        state.withLock { s in
            guard let i = s.userIndex[userID] else { return 0 }
            let digests = s.users[Int(i)].sessions.compactMap { s.digestByKey[$0] }
            for d in digests { s.remove(d) }
            return digests.count
        }
    }

    /// What a lookup found: a valid session (touched if asked), or why it ended.
    enum Lookup {
        /// The session is valid; its entry after any touch.
        case valid(Entry)
        /// The session ended, for this reason.
        case ended(SessionEndReason)
    }

    /// The session of a token digest, judged by `endReason` (given revoked, created
    /// and last activity; nil if valid); with `touchAt`, a valid one records activity.
    /// One lock, one hash lookup; strings are made only for a valid session's entry.
    func lookup(_ digest: TokenDigestKey, touchAt: Instant?,
                endReason: (_ revoked: Bool, _ createdAt: Instant, _ lastActivityAt: Instant) -> SessionEndReason?) -> Lookup? {
        state.withLock { s -> Lookup? in
            guard let i = s.slots.index(forKey: digest) else { return nil }
            let slot = s.slots.values[i]
            if let reason = endReason(slot.revoked, Instant(secondsSinceEpoch: slot.createdAt),
                                      Instant(secondsSinceEpoch: slot.lastActivityAt)) {
                return .ended(reason)
            }
            if let at = touchAt?.secondsSinceEpoch, at > slot.lastActivityAt {
                s.slots.values[i].lastActivityAt = at
                s.dirty[slot.key] = at
            }
            return .valid(s.entry(s.slots.values[i]))
        }
    }

    /// The entry with this id.
    func entry(id: SessionID) -> Entry? {
        state.withLock { s in
            s.digestByKey[s.existingKey(of: id)].flatMap { s.slots[$0] }.map { s.entry($0) }
        }
    }

    /// Unrevoked entries of a user, oldest first.
    func entries(of userID: UserID) -> [Entry] {
        state.withLock { s -> [Entry] in
            guard let i = s.userIndex[userID] else { return [] }
            return s.users[Int(i)].sessions.compactMap { k in s.digestByKey[k].flatMap { s.slots[$0] } }
                .filter { !$0.revoked }.map { s.entry($0) }
        }.sorted { $0.createdAt < $1.createdAt }
    }

    /// How many unrevoked sessions (expired ones included until swept) `userID` holds; O(1).
    func unrevokedCount(of userID: UserID) -> Int {
        state.withLock { s in s.userIndex[userID].map { s.users[Int($0)].sessions.count } ?? 0 }
    }

    /// Marks sessions revoked (they become tombstones).
    func markRevoked(_ ids: some Sequence<SessionID>) {
        state.withLock { s in
            for id in ids {
                let k = s.existingKey(of: id)
                guard let d = s.digestByKey[k], let user = s.slots[d]?.user else {
                    // Not held yet: a page read before the revocation must not bring it back live.
                    if s.loading { s.revokedWhileLoading.insert(k) }
                    continue
                }
                s.slots[d]?.revoked = true
                s.dirty[k] = nil
                // A tombstone answers lookups by digest until the sweeper drops it, but
                // leaves its user's set: opening a session walks that set (the cap).
                if s.users[Int(user)].sessions.remove(k) != nil { s.unrevoked -= 1 }
            }
        }
    }

    /// Moves a session to a new token digest and assurance (the old token stops working).
    func renew(id: SessionID, digest: [UInt8], assurance: Assurance, secondFactorAt: Instant?,
               secondFactorMethod: AuthenticationMethod?) {
        state.withLock { s in
            let k = s.existingKey(of: id)
            guard let old = s.digestByKey[k], var slot = s.slots.removeValue(forKey: old) else { return }
            slot.assurance = assurance
            slot.secondFactorAt = secondFactorAt?.secondsSinceEpoch ?? .nan
            slot.secondFactorMethod = secondFactorMethod
            let d = TokenDigestKey(digest)
            s.slots[d] = slot
            s.digestByKey[k] = d
        }
    }

    /// Takes the activity times recorded since the last call.
    func takeDirty() -> [SessionID: Instant] {
        state.withLock { s in
            defer { s.dirty = [:] }
            var out: [SessionID: Instant] = [:]
            out.reserveCapacity(s.dirty.count)
            for (k, at) in s.dirty {
                out[s.irregularIDs[k] ?? k.canonicalID] = Instant(secondsSinceEpoch: at)
            }
            return out
        }
    }

    /// Puts activity times back after a failed flush (newer ones win).
    func restoreDirty(_ times: [SessionID: Instant]) {
        state.withLock { s in
            for (id, at) in times {
                let k = s.existingKey(of: id)
                guard s.digestByKey[k] != nil else { continue }
                s.dirty[k] = max(s.dirty[k] ?? at.secondsSinceEpoch, at.secondsSinceEpoch)
            }
        }
    }

    /// Drops sessions `isDead` says are gone, judged by their times; returns how many.
    ///
    /// Runs under the table's lock, so it reads the slots' times only and
    /// builds no `Entry` (no strings or ids per session): with a million
    /// sessions every check waits for this walk.
    @discardableResult
    func sweep(_ isDead: (_ createdAt: Instant, _ lastActivityAt: Instant) -> Bool) -> Int {
        state.withLock { s in
            var dead: [TokenDigestKey] = []
            for (digest, slot) in s.slots
            where isDead(Instant(secondsSinceEpoch: slot.createdAt), Instant(secondsSinceEpoch: slot.lastActivityAt)) {
                dead.append(digest)
            }
            for d in dead { s.remove(d) }
            return dead.count
        }
    }

    /// How many sessions `isLive` says are live, judged by their times (walks
    /// the table under its lock, building nothing per session).
    func count(where isLive: (_ revoked: Bool, _ createdAt: Instant, _ lastActivityAt: Instant) -> Bool) -> Int {
        state.withLock { s in
            s.slots.values.reduce(0) { n, slot in
                n + (isLive(slot.revoked, Instant(secondsSinceEpoch: slot.createdAt),
                            Instant(secondsSinceEpoch: slot.lastActivityAt)) ? 1 : 0)
            }
        }
    }

    /// Sessions held (tombstones included).
    var count: Int { state.withLock { $0.slots.count } }

    /// Unrevoked sessions held; O(1). Right after a sweep these are exactly the
    /// live ones; until the next, sessions that expired meanwhile still count.
    var unrevokedCount: Int { state.withLock { $0.unrevoked } }
}
