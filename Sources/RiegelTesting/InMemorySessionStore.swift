import RiegelCore

/// A ``SessionStore`` in memory, with the SQLite store's rules: ids and token
/// digests are unique, lists are oldest first (then by id), activity never
/// moves backwards.
public final class InMemorySessionStore: SessionStore, Sendable {
    private let data: InMemoryStoreData

    /// A store on `data` (by default its own, empty).
    public init(data: InMemoryStoreData = InMemoryStoreData()) {
        self.data = data
    }

    public func create(_ session: SessionRecord) throws {
        try data.tables.withLock { tables in
            if tables.sessions[session.id] != nil { throw InMemoryStoreError.duplicate("session.id") }
            if tables.sessions.values.contains(where: { $0.tokenDigest == session.tokenDigest }) {
                throw InMemoryStoreError.duplicate("session.token_digest")
            }
            tables.sessions[session.id] = session
            tables.accounts[session.userID]?.lastLoginAt = session.createdAt
        }
    }

    public func session(tokenDigest: [UInt8]) throws -> SessionRecord? {
        data.tables.withLock { tables in tables.sessions.values.first { $0.tokenDigest == tokenDigest } }
    }

    public func session(id: SessionID) throws -> SessionRecord? {
        data.tables.withLock { $0.sessions[id] }
    }

    public func sessions(of userID: UserID) throws -> [SessionRecord] {
        data.tables.withLock { tables in
            Self.oldestFirst(tables.sessions.values.filter { $0.userID == userID && $0.revokedAt == nil })
        }
    }

    public func liveSessions(of userID: UserID, createdAfter: Instant, activeAfter: Instant,
                             beyondNewest keeping: Int) throws -> [SessionID] {
        let live = try sessions(of: userID).filter { $0.createdAt > createdAfter && $0.lastActivityAt > activeAfter }
        return live.prefix(max(0, live.count - max(0, keeping))).map(\.id)
    }

    public func page(after cursor: SessionID?, limit: Int) throws -> [SessionRecord] {
        data.tables.withLock { tables in
            Array(tables.sessions.values.filter { cursor == nil || $0.id.rawValue > cursor!.rawValue }
                .sorted { $0.id.rawValue < $1.id.rawValue }.prefix(limit))
        }
    }

    public func renew(id: SessionID, tokenDigest: [UInt8], assurance: Assurance, secondFactorAt: Instant?,
                      secondFactorMethod: AuthenticationMethod?) throws {
        try data.tables.withLock { tables in
            guard tables.sessions[id] != nil else { return }
            if tables.sessions.values.contains(where: { $0.id != id && $0.tokenDigest == tokenDigest }) {
                throw InMemoryStoreError.duplicate("session.token_digest")
            }
            tables.sessions[id]?.tokenDigest = tokenDigest
            tables.sessions[id]?.assurance = assurance
            tables.sessions[id]?.secondFactorAt = secondFactorAt
            tables.sessions[id]?.secondFactorMethod = secondFactorMethod
        }
    }

    @discardableResult
    public func revoke(id: SessionID, reason: String, at: Instant) throws -> Bool {
        data.tables.withLock { tables in
            guard let session = tables.sessions[id], session.revokedAt == nil else { return false }
            tables.sessions[id]?.revokedAt = at
            tables.sessions[id]?.revokeReason = reason
            return true
        }
    }

    @discardableResult
    public func revokeAll(of userID: UserID, keeping: SessionID?, reason: String, at: Instant) throws -> Int {
        data.tables.withLock { tables in
            var count = 0
            for (id, session) in tables.sessions
            where session.userID == userID && session.revokedAt == nil && id != keeping {
                tables.sessions[id]?.revokedAt = at
                tables.sessions[id]?.revokeReason = reason
                count += 1
            }
            return count
        }
    }

    @discardableResult
    public func revokeAll(ofDevice deviceID: DeviceID, reason: String, at: Instant) throws -> [SessionID] {
        data.tables.withLock { tables in
            var ended: [SessionID] = []
            for (id, session) in tables.sessions where session.deviceID == deviceID && session.revokedAt == nil {
                tables.sessions[id]?.revokedAt = at
                tables.sessions[id]?.revokeReason = reason
                ended.append(id)
            }
            return ended.sorted { $0.rawValue < $1.rawValue }
        }
    }

    public func recordActivity(_ times: [SessionID: Instant]) throws {
        data.tables.withLock { tables in
            for (id, time) in times {
                guard let current = tables.sessions[id]?.lastActivityAt else { continue }
                tables.sessions[id]?.lastActivityAt = max(current, time)
            }
        }
    }

    @discardableResult
    public func deleteInactive(before cutoff: Instant) throws -> Int {
        data.tables.withLock { tables in
            let before = tables.sessions.count
            tables.sessions = tables.sessions.filter { _, session in
                !(session.revokedAt.map { $0 < cutoff } ?? false) && !(session.lastActivityAt < cutoff)
            }
            return before - tables.sessions.count
        }
    }

    private static func oldestFirst(_ sessions: [SessionRecord]) -> [SessionRecord] {
        sessions.sorted { ($0.createdAt, $0.id.rawValue) < ($1.createdAt, $1.id.rawValue) }
    }
}
