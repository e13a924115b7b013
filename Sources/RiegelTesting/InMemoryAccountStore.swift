import RiegelCore

/// An ``AccountStore`` in memory, with the SQLite store's rules. Deleting an
/// account drops its sessions, reset tokens and activation codes in fakes
/// sharing the same ``InMemoryStoreData``.
public final class InMemoryAccountStore: AccountStore, Sendable {
    private let data: InMemoryStoreData

    /// A store on `data` (by default its own, empty).
    public init(data: InMemoryStoreData = InMemoryStoreData()) {
        self.data = data
    }

    public func create(_ account: AccountRecord) throws {
        try data.tables.withLock { tables in
            if tables.accounts.values.contains(where: { $0.username.canonicalKey == account.username.canonicalKey }) {
                throw AccountStoreError.usernameTaken
            }
            if tables.accounts[account.id] != nil { throw InMemoryStoreError.duplicate("user.id") }
            var account = account
            account.credentialGeneration = 0
            tables.accounts[account.id] = account
        }
    }

    public func account(id: UserID) throws -> AccountRecord? {
        data.tables.withLock { $0.accounts[id] }
    }

    public func account(usernameKey: String) throws -> AccountRecord? {
        data.tables.withLock { tables in
            tables.accounts.values.first { $0.username.canonicalKey == usernameKey }
        }
    }

    /// Accounts whose blind index equals one of `emailIndexes` (bytes and key id), oldest first.
    public func accounts(emailIndexes: [KeyedDigest]) throws -> [AccountRecord] {
        let wanted = Set(emailIndexes)
        return data.tables.withLock { tables in
            tables.accounts.values
                .filter { $0.emailIndex.map(wanted.contains) ?? false }
                .sorted { ($0.createdAt, $0.id.rawValue) < ($1.createdAt, $1.id.rawValue) }
        }
    }

    public func accountForUpdate(id: UserID) throws -> AccountRecord? {
        data.tables.withLock { $0.accounts[id] }
    }

    public func updatePasswordHash(id: UserID, _ hash: SealedSecret) throws {
        data.tables.withLock {
            $0.accounts[id]?.passwordHash = hash
            $0.accounts[id]?.credentialGeneration += 1
        }
    }

    public func rehashPassword(id: UserID, _ hash: SealedSecret, ifGeneration generation: Int) throws -> Bool {
        data.tables.withLock { tables in
            guard tables.accounts[id]?.credentialGeneration == generation else { return false }
            tables.accounts[id]?.passwordHash = hash
            return true
        }
    }

    public func setSecondFactor(id: UserID, phone: (sealed: SealedSecret, index: KeyedDigest)?) throws {
        data.tables.withLock {
            $0.accounts[id]?.phone = phone?.sealed
            $0.accounts[id]?.phoneIndex = phone?.index
            $0.accounts[id]?.secondFactorEnabled = phone != nil
            $0.accounts[id]?.credentialGeneration += 1
        }
    }

    public func setSecondFactorEnabled(id: UserID, _ enabled: Bool) throws {
        data.tables.withLock {
            $0.accounts[id]?.secondFactorEnabled = enabled
            $0.accounts[id]?.credentialGeneration += 1
        }
    }

    public func count() throws -> Int {
        data.tables.withLock { $0.accounts.count }
    }

    public func randomSample(limit: Int) throws -> [AccountRecord] {
        guard limit > 0 else { return [] }
        return data.tables.withLock { Array($0.accounts.values.shuffled().prefix(limit)) }
    }

    public func setLock(id: UserID, until: Instant?) throws {
        data.tables.withLock {
            $0.accounts[id]?.lockedUntil = until
            $0.accounts[id]?.credentialGeneration += 1
        }
    }

    @discardableResult
    public func delete(id: UserID) throws -> Bool {
        data.tables.withLock { $0.deleteAccount(id) }
    }
}
