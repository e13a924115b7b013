import RiegelCore
import Synchronization

/// The in-memory table of sessions, keyed by token digest: authoritative for
/// checks, so a check does no disk I/O.
///
/// Revoked sessions stay as tombstones until the sweeper drops them, so a
/// revoked token answers `SessionExpired(revoked)`, not `InvalidToken`.
/// Activity times are collected as "dirty" for the flusher to write in batches.
final class SessionTable: Sendable {
    /// What a check needs of a session (client info stays in the store).
    struct Entry: Sendable {
        var id: SessionID
        var userID: UserID
        var username: String
        var assurance: Assurance
        var method: AuthenticationMethod
        var createdAt: Instant
        var authenticatedAt: Instant
        var secondFactorAt: Instant?
        var lastActivityAt: Instant
        var revoked: Bool

        init(_ r: SessionRecord, username: String) {
            id = r.id
            userID = r.userID
            self.username = username
            assurance = r.assurance
            method = r.method
            createdAt = r.createdAt
            authenticatedAt = r.authenticatedAt
            secondFactorAt = r.secondFactorAt
            lastActivityAt = r.lastActivityAt
            revoked = r.revokedAt != nil
        }
    }

    private struct State {
        var entries: [TokenDigestKey: Entry] = [:]
        var keyByID: [SessionID: TokenDigestKey] = [:]
        var idsByUser: [UserID: Set<SessionID>] = [:]
        var dirty: [SessionID: Instant] = [:]
    }

    private let state = Mutex(State())

    /// Adds (or replaces) a session.
    func insert(_ record: SessionRecord, username: String) {
        let key = TokenDigestKey(record.tokenDigest)
        state.withLock { s in
            if let old = s.keyByID[record.id] { s.entries[old] = nil }
            s.entries[key] = Entry(record, username: username)
            s.keyByID[record.id] = key
            s.idsByUser[record.userID, default: []].insert(record.id)
        }
    }

    /// The entry for a token digest and why it ended (`endReason`, nil if valid);
    /// with `touchAt`, a valid entry records activity. One lock, one hash lookup.
    func lookup(_ digest: [UInt8], touchAt: Instant?,
                endReason: (Entry) -> SessionEndReason?) -> (Entry, SessionEndReason?)? {
        let key = TokenDigestKey(digest)
        return state.withLock { s in
            guard var entry = s.entries[key] else { return nil }
            let reason = endReason(entry)
            if reason == nil, let at = touchAt, at > entry.lastActivityAt {
                entry.lastActivityAt = at
                s.entries[key] = entry
                s.dirty[entry.id] = at
            }
            return (entry, reason)
        }
    }

    /// The entry with this id.
    func entry(id: SessionID) -> Entry? {
        state.withLock { s in s.keyByID[id].flatMap { s.entries[$0] } }
    }

    /// Unrevoked entries of a user, oldest first.
    func entries(of userID: UserID) -> [Entry] {
        state.withLock { s in
            (s.idsByUser[userID] ?? []).compactMap { id in s.keyByID[id].flatMap { s.entries[$0] } }
                .filter { !$0.revoked }
        }.sorted { $0.createdAt < $1.createdAt }
    }

    /// Marks sessions revoked (they become tombstones).
    func markRevoked(_ ids: some Sequence<SessionID>) {
        state.withLock { s in
            for id in ids {
                guard let key = s.keyByID[id] else { continue }
                s.entries[key]?.revoked = true
                s.dirty[id] = nil
            }
        }
    }

    /// Moves a session to a new token digest and assurance (the old token stops working).
    func renew(id: SessionID, digest: [UInt8], assurance: Assurance, secondFactorAt: Instant?) {
        state.withLock { s in
            guard let old = s.keyByID[id], var entry = s.entries.removeValue(forKey: old) else { return }
            entry.assurance = assurance
            entry.secondFactorAt = secondFactorAt
            let key = TokenDigestKey(digest)
            s.entries[key] = entry
            s.keyByID[id] = key
        }
    }

    /// Takes the activity times recorded since the last call.
    func takeDirty() -> [SessionID: Instant] {
        state.withLock { s in
            defer { s.dirty = [:] }
            return s.dirty
        }
    }

    /// Puts activity times back after a failed flush (newer ones win).
    func restoreDirty(_ times: [SessionID: Instant]) {
        state.withLock { s in
            for (id, at) in times where s.keyByID[id] != nil {
                s.dirty[id] = max(s.dirty[id] ?? at, at)
            }
        }
    }

    /// Drops entries `isDead` says are gone; returns how many.
    @discardableResult
    func sweep(_ isDead: (Entry) -> Bool) -> Int {
        state.withLock { s in
            let dead = s.entries.filter { isDead($0.value) }
            for (key, entry) in dead {
                s.entries[key] = nil
                s.keyByID[entry.id] = nil
                s.dirty[entry.id] = nil
                s.idsByUser[entry.userID]?.remove(entry.id)
                if s.idsByUser[entry.userID]?.isEmpty == true { s.idsByUser[entry.userID] = nil }
            }
            return dead.count
        }
    }

    /// Sessions held (tombstones included).
    var count: Int { state.withLock { $0.entries.count } }
}
