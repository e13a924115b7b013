import RiegelCore

/// The rules every ``ResetTokenStore`` must keep. Call ``run(_:)`` with a
/// factory for an empty store paired with an account store on the same data.
public enum ResetTokenStoreConformance {
    public typealias Subject = StoreWithAccounts<any ResetTokenStore>

    /// Every rule, by name, each run against fresh stores.
    public static let checks: [(name: String, body: @Sendable (Subject) throws -> Void)] = [
        ("tokenIsUsableOnce", tokenIsUsableOnce),
        ("lookupDoesNotConsume", lookupDoesNotConsume),
        ("tokenExpiresAtItsExpiryTime", tokenExpiresAtItsExpiryTime),
        ("unknownDigestFindsNothing", unknownDigestFindsNothing),
        ("duplicateDigestIsRefused", duplicateDigestIsRefused),
        ("removeAllRemovesOnlyThatUsersTokens", removeAllRemovesOnlyThatUsersTokens),
        ("deletingTheAccountRemovesItsTokens", deletingTheAccountRemovesItsTokens),
    ]

    /// Runs every rule, each against fresh stores from `makeStores`.
    public static func run(_ makeStores: () throws -> Subject) throws {
        for check in checks {
            let subject = try makeStores()
            try StoreConformance.check("ResetTokenStore", check.name) { try check.body(subject) }
        }
    }

    typealias C = StoreConformance

    static func users(_ subject: Subject, _ numbers: Int...) throws {
        for n in numbers { try subject.accounts.create(try C.account(n)) }
    }

    static func tokenIsUsableOnce(_ subject: Subject) throws {
        let store = subject.store
        try users(subject, 1)
        try store.create(digest: C.bytes(1), userID: C.userID(1), createdAt: C.at(0), expiresAt: C.at(3600))
        try C.expect(try store.consume(digest: C.bytes(1), now: C.at(10)) == C.userID(1),
                     "a valid token must be consumed and name its user")
        try C.expect(try store.consume(digest: C.bytes(1), now: C.at(11)) == nil, "a used token must not be consumed again")
        try C.expect(try store.user(forDigest: C.bytes(1), now: C.at(12)) == nil, "a used token must not be found")
    }

    static func lookupDoesNotConsume(_ subject: Subject) throws {
        let store = subject.store
        try users(subject, 1)
        try store.create(digest: C.bytes(1), userID: C.userID(1), createdAt: C.at(0), expiresAt: C.at(3600))
        try C.expect(try store.user(forDigest: C.bytes(1), now: C.at(10)) == C.userID(1), "a valid token must be found")
        try C.expect(try store.user(forDigest: C.bytes(1), now: C.at(20)) == C.userID(1),
                     "looking a token up must not use it")
        try C.expect(try store.consume(digest: C.bytes(1), now: C.at(30)) == C.userID(1),
                     "a looked-up token must still be consumable")
    }

    static func tokenExpiresAtItsExpiryTime(_ subject: Subject) throws {
        let store = subject.store
        try users(subject, 1)
        try store.create(digest: C.bytes(1), userID: C.userID(1), createdAt: C.at(0), expiresAt: C.at(3600))
        try C.expect(try store.user(forDigest: C.bytes(1), now: C.at(3599.5)) == C.userID(1),
                     "a token must be valid just before its expiry")
        try C.expect(try store.user(forDigest: C.bytes(1), now: C.at(3600)) == nil,
                     "a token must be invalid at its expiry time")
        try C.expect(try store.consume(digest: C.bytes(1), now: C.at(3600)) == nil, "an expired token must not be consumed")
        try C.expect(try store.consume(digest: C.bytes(1), now: C.at(7200)) == nil, "an expired token must not be consumed")
    }

    static func unknownDigestFindsNothing(_ subject: Subject) throws {
        let store = subject.store
        try users(subject, 1)
        try store.create(digest: C.bytes(1), userID: C.userID(1), createdAt: C.at(0), expiresAt: C.at(3600))
        try C.expect(try store.user(forDigest: C.bytes(2), now: C.at(1)) == nil, "an unknown digest must find nothing")
        try C.expect(try store.consume(digest: C.bytes(2), now: C.at(1)) == nil, "an unknown digest must consume nothing")
        try C.expect(try store.consume(digest: Array(C.bytes(1).prefix(31)), now: C.at(1)) == nil,
                     "a digest prefix must match nothing")
    }

    static func duplicateDigestIsRefused(_ subject: Subject) throws {
        let store = subject.store
        try users(subject, 1, 2)
        try store.create(digest: C.bytes(1), userID: C.userID(1), createdAt: C.at(0), expiresAt: C.at(3600))
        try C.expectThrows("a second token with the same digest must be refused") {
            try store.create(digest: C.bytes(1), userID: C.userID(2), createdAt: C.at(1), expiresAt: C.at(3601))
        }
        try C.expect(try store.user(forDigest: C.bytes(1), now: C.at(2)) == C.userID(1),
                     "a refused duplicate must leave the first token unchanged")
    }

    static func removeAllRemovesOnlyThatUsersTokens(_ subject: Subject) throws {
        let store = subject.store
        try users(subject, 1, 2)
        try store.create(digest: C.bytes(1), userID: C.userID(1), createdAt: C.at(0), expiresAt: C.at(3600))
        try store.create(digest: C.bytes(2), userID: C.userID(1), createdAt: C.at(1), expiresAt: C.at(3600))
        try store.create(digest: C.bytes(3), userID: C.userID(2), createdAt: C.at(2), expiresAt: C.at(3600))
        try store.removeAll(for: C.userID(1))
        try C.expect(try store.user(forDigest: C.bytes(1), now: C.at(5)) == nil, "removeAll must remove every token of the user")
        try C.expect(try store.consume(digest: C.bytes(2), now: C.at(5)) == nil, "removeAll must remove every token of the user")
        try C.expect(try store.user(forDigest: C.bytes(3), now: C.at(5)) == C.userID(2), "other users' tokens must stay")
        try store.removeAll(for: C.userID(9))  // unknown user: no error
    }

    static func deletingTheAccountRemovesItsTokens(_ subject: Subject) throws {
        let store = subject.store
        try users(subject, 1, 2)
        try store.create(digest: C.bytes(1), userID: C.userID(1), createdAt: C.at(0), expiresAt: C.at(3600))
        try store.create(digest: C.bytes(2), userID: C.userID(2), createdAt: C.at(0), expiresAt: C.at(3600))
        try subject.accounts.delete(id: C.userID(1))
        try subject.accounts.create(try C.account(1))  // the same id again must not revive old tokens
        try C.expect(try store.user(forDigest: C.bytes(1), now: C.at(5)) == nil, "deleting an account must remove its tokens")
        try C.expect(try store.user(forDigest: C.bytes(2), now: C.at(5)) == C.userID(2), "other users' tokens must stay")
    }
}
