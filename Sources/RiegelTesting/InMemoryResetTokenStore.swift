import RiegelCore

/// A ``ResetTokenStore`` in memory, with the SQLite store's rules: a token is
/// valid while `now < expiresAt` and unused.
public final class InMemoryResetTokenStore: ResetTokenStore, Sendable {
    private let data: InMemoryStoreData

    /// A store on `data` (by default its own, empty).
    public init(data: InMemoryStoreData = InMemoryStoreData()) {
        self.data = data
    }

    public func create(digest: [UInt8], userID: UserID, createdAt: Instant, expiresAt: Instant) throws {
        try data.tables.withLock { tables in
            if tables.resetTokens[digest] != nil { throw InMemoryStoreError.duplicate("reset_token.digest") }
            tables.resetTokens[digest] = .init(userID: userID, createdAt: createdAt, expiresAt: expiresAt)
        }
    }

    public func user(forDigest digest: [UInt8], now: Instant) throws -> UserID? {
        data.tables.withLock { tables in
            guard let token = tables.resetTokens[digest], token.usedAt == nil, now < token.expiresAt else { return nil }
            return token.userID
        }
    }

    public func consume(digest: [UInt8], now: Instant) throws -> UserID? {
        data.tables.withLock { tables in
            guard let token = tables.resetTokens[digest], token.usedAt == nil, now < token.expiresAt else { return nil }
            tables.resetTokens[digest]?.usedAt = now
            return token.userID
        }
    }

    public func removeAll(for userID: UserID) throws {
        data.tables.withLock { tables in
            tables.resetTokens = tables.resetTokens.filter { $0.value.userID != userID }
        }
    }
}
