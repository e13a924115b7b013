import RiegelCore

/// The rules every ``AccountStore`` must keep. Call ``run(_:)`` from a test
/// with a factory for empty stores; it throws ``ConformanceFailure`` on the
/// first broken rule, prefixed with the rule's name.
public enum AccountStoreConformance {
    /// Every rule, by name, each run against a fresh store.
    public static let checks: [(name: String, body: @Sendable (any AccountStore) throws -> Void)] = [
        ("createdAccountIsFoundByIDAndUsernameKey", createdAccountIsFoundByIDAndUsernameKey),
        ("accountWithoutOptionalFieldsRoundTrips", accountWithoutOptionalFieldsRoundTrips),
        ("usernameIsTakenAcrossCaseAndNormalization", usernameIsTakenAcrossCaseAndNormalization),
        ("emailIndexLookupMatchesBytesAndKeyID", emailIndexLookupMatchesBytesAndKeyID),
        ("passwordHashIsReplaced", passwordHashIsReplaced),
        ("lockIsSetAndCleared", lockIsSetAndCleared),
        ("deleteRemovesTheAccountAndFreesTheUsername", deleteRemovesTheAccountAndFreesTheUsername),
        ("credentialChangesBumpTheGenerationAndARehashNeverOverwritesOne",
         credentialChangesBumpTheGenerationAndARehashNeverOverwritesOne),
        ("randomSampleReturnsDistinctAccountsUpToTheLimit", randomSampleReturnsDistinctAccountsUpToTheLimit),
    ]

    /// Runs every rule, each against a fresh store from `makeStore`.
    public static func run(_ makeStore: () throws -> any AccountStore) throws {
        for check in checks {
            let store = try makeStore()
            try StoreConformance.check("AccountStore", check.name) { try check.body(store) }
        }
    }

    typealias C = StoreConformance

    static func createdAccountIsFoundByIDAndUsernameKey(_ store: any AccountStore) throws {
        var account = try C.account(1, username: "Jürgen.Max")
        account.createdAt = Instant(secondsSinceEpoch: 1_767_225_600.123456)
        account.secondFactorEnabled = true
        account.lockedUntil = C.at(3600.5)
        account.lastLoginAt = C.at(-60.25)
        try store.create(account)
        try store.create(try C.account(2))
        try C.expect(try store.account(id: account.id) == account, "an account must load back unchanged by id")
        try C.expect(try store.account(usernameKey: account.username.canonicalKey) == account,
                     "an account must load back unchanged by its username key")
        try C.expect(try store.account(usernameKey: try Username("JÜRGEN.MAX").canonicalKey) == account,
                     "the key of a case variant must find the account")
        try C.expect(try store.account(id: C.userID(9)) == nil, "an unknown id must find nothing")
        try C.expect(try store.account(usernameKey: "nobody") == nil, "an unknown username key must find nothing")
        try C.expect(try store.account(usernameKey: account.username.value) == nil,
                     "the display value is not the key: lookups go by canonical key only")
    }

    static func accountWithoutOptionalFieldsRoundTrips(_ store: any AccountStore) throws {
        var account = try C.account(1)
        account.email = nil
        account.emailIndex = nil
        try store.create(account)
        try C.expect(try store.account(id: account.id) == account, "an account without e-mail must load back unchanged")
    }

    static func usernameIsTakenAcrossCaseAndNormalization(_ store: any AccountStore) throws {
        let pairs: [(String, String)] = [
            ("Max", "max"), ("Max", "MAX"), ("Max", "\u{FF4D}\u{FF41}\u{FF58}"),  // full-width ｍａｘ
            ("Straße", "STRASSE"), ("José", "Jose\u{301}"), ("Łukasz", "łukasz"),
        ]
        for (index, (first, second)) in pairs.enumerated() {
            let original = try C.account(10 + 2 * index, username: first)
            try store.create(original)
            let variant = try C.account(11 + 2 * index, username: second)
            do {
                try store.create(variant)
                throw ConformanceFailure("'\(second)' must be refused while '\(first)' exists")
            } catch AccountStoreError.usernameTaken {
                // expected
            }
            try C.expect(try store.account(id: variant.id) == nil, "a refused account must not be stored ('\(second)')")
            try C.expect(try store.account(id: original.id) == original,
                         "a refused variant must leave the existing account unchanged ('\(first)')")
            _ = try store.delete(id: original.id)
        }
    }

    static func emailIndexLookupMatchesBytesAndKeyID(_ store: any AccountStore) throws {
        let shared = C.bytes(77)
        let a = try C.account(1, emailIndex: KeyedDigest(bytes: shared, keyID: KeyID(rawValue: 3)))
        let b = try C.account(2, emailIndex: KeyedDigest(bytes: C.bytes(78), keyID: KeyID(rawValue: 4)))
        let c = try C.account(3, emailIndex: KeyedDigest(bytes: shared, keyID: KeyID(rawValue: 3)))
        var d = try C.account(4)
        d.email = nil
        d.emailIndex = nil
        for account in [c, d, b, a] { try store.create(account) }  // not in creation-time order

        let both = try store.accounts(emailIndexes: [KeyedDigest(bytes: C.bytes(78), keyID: KeyID(rawValue: 4)),
                                                     KeyedDigest(bytes: shared, keyID: KeyID(rawValue: 3))])
        try C.expect(both == [a, b, c], "indexes under several key ids must find every match, oldest first; got \(both.map(\.id))")
        let wrongKey = try store.accounts(emailIndexes: [KeyedDigest(bytes: shared, keyID: KeyID(rawValue: 4))])
        try C.expect(wrongKey.isEmpty, "an index must match on its key id too; got \(wrongKey.map(\.id))")
        try C.expect(try store.accounts(emailIndexes: []).isEmpty, "no indexes must find nothing")
        let unknown = try store.accounts(emailIndexes: [KeyedDigest(bytes: C.bytes(1), keyID: KeyID(rawValue: 3))])
        try C.expect(unknown.isEmpty, "an unknown index must find nothing")
    }

    static func passwordHashIsReplaced(_ store: any AccountStore) throws {
        let account = try C.account(1)
        try store.create(account)
        try store.create(try C.account(2))
        let rehashed = SealedSecret(bytes: C.bytes(9, count: 130), keyID: KeyID(rawValue: 7))
        try store.updatePasswordHash(id: account.id, rehashed)
        var expected = account
        expected.passwordHash = rehashed
        expected.credentialGeneration += 1
        try C.expect(try store.account(id: account.id) == expected,
                     "the new sealed hash and its key id must replace the old one and bump the credential generation, nothing else changes")
        try C.expect(try store.account(id: C.userID(2)) == (try C.account(2)), "other accounts must not change")
        try store.updatePasswordHash(id: C.userID(9), rehashed)  // unknown: no effect, no error
    }

    static func lockIsSetAndCleared(_ store: any AccountStore) throws {
        let account = try C.account(1)
        try store.create(account)
        try store.setLock(id: account.id, until: C.at(2000))
        var expected = account
        expected.lockedUntil = C.at(2000)
        expected.credentialGeneration = 1
        try C.expect(try store.account(id: account.id) == expected, "the lock must be stored")
        try store.setLock(id: account.id, until: nil)
        expected.lockedUntil = nil
        expected.credentialGeneration = 2
        try C.expect(try store.account(id: account.id) == expected, "a nil lock must clear the lock")
    }

    static func deleteRemovesTheAccountAndFreesTheUsername(_ store: any AccountStore) throws {
        let account = try C.account(1, username: "Max")
        try store.create(account)
        try store.create(try C.account(2))
        try C.expect(try store.delete(id: account.id), "deleting an existing account must return true")
        try C.expect(try store.account(id: account.id) == nil, "a deleted account must not be found by id")
        try C.expect(try store.account(usernameKey: account.username.canonicalKey) == nil,
                     "a deleted account must not be found by username")
        try C.expect(try !store.delete(id: account.id), "deleting it again must return false")
        try C.expect(try store.account(id: C.userID(2)) != nil, "other accounts must stay")
        try C.expect(try store.count() == 1, "the count must drop with a deletion")
        try store.create(try C.account(3, username: "max"))  // the username is free again
        try C.expect(try store.count() == 2, "the count must rise with a creation")
    }

    /// Issue 11, items 6 and 9: every credential change moves the generation
    /// (a login or challenge that read the account before it is refused),
    /// and a rehash writes only over the generation it read.
    static func credentialChangesBumpTheGenerationAndARehashNeverOverwritesOne(_ store: any AccountStore) throws {
        let account = try C.account(1)
        try store.create(account)
        func generation() throws -> Int? { try store.accountForUpdate(id: account.id)?.credentialGeneration }
        try C.expect(try generation() == 0, "a new account starts at generation 0")
        let rehashed = SealedSecret(bytes: C.bytes(8, count: 130), keyID: KeyID(rawValue: 7))
        try C.expect(try store.rehashPassword(id: account.id, rehashed, ifGeneration: 0),
                     "a rehash over the generation it read must be written")
        try C.expect(try store.account(id: account.id)?.passwordHash == rehashed && generation() == 0,
                     "a rehash replaces the hash and leaves the generation")
        try store.updatePasswordHash(id: account.id, SealedSecret(bytes: C.bytes(9, count: 130), keyID: KeyID(rawValue: 7)))
        try C.expect(try generation() == 1, "a new password bumps the generation")
        try C.expect(try !store.rehashPassword(id: account.id, rehashed, ifGeneration: 0),
                     "a rehash over an older generation must be refused")
        try C.expect(try store.account(id: account.id)?.passwordHash.bytes == C.bytes(9, count: 130),
                     "and must leave the new password's hash")
        try store.setLock(id: account.id, until: C.at(100))
        try store.setSecondFactor(id: account.id, phone: (SealedSecret(bytes: C.bytes(3), keyID: KeyID(rawValue: 2)),
                                                          KeyedDigest(bytes: C.bytes(4), keyID: KeyID(rawValue: 3))))
        try store.setSecondFactor(id: account.id, phone: nil)
        try C.expect(try generation() == 4, "a lock and each second-factor change bump the generation")
        try store.setSecondFactorEnabled(id: account.id, true)
        try C.expect(try generation() == 5 && store.account(id: account.id)?.secondFactorEnabled == true
                     && store.account(id: account.id)?.phone == nil,
                     "turning the second factor on without a phone (an app) bumps the generation and keeps no phone")
        try store.setSecondFactorEnabled(id: account.id, false)
        try C.expect(try generation() == 6 && store.account(id: account.id)?.secondFactorEnabled == false,
                     "turning it off bumps the generation")
        try C.expect(try store.account(id: account.id)?.credentialGeneration == 6,
                     "account(id:) and accountForUpdate(id:) agree")
        try C.expect(try store.accountForUpdate(id: C.userID(9)) == nil, "an unknown account is nil")
    }

    /// The decoy sample: distinct stored accounts, at most `limit`, all of
    /// them when there are fewer, none from an empty store or for a limit of 0.
    static func randomSampleReturnsDistinctAccountsUpToTheLimit(_ store: any AccountStore) throws {
        try C.expect(try store.randomSample(limit: 4).isEmpty, "an empty store has nothing to sample")
        let accounts = try (1...5).map { try C.account($0) }
        for account in accounts { try store.create(account) }
        let three = try store.randomSample(limit: 3)
        try C.expect(three.count == 3 && Set(three.map(\.id)).count == 3, "a sample of 3 must hold 3 distinct accounts")
        try C.expect(three.allSatisfy { accounts.contains($0) }, "a sample must hold the stored records unchanged")
        try C.expect(Set(try store.randomSample(limit: 10).map(\.id)) == Set(accounts.map(\.id)),
                     "a limit above the count must return every account once")
        try C.expect(try store.randomSample(limit: 0).isEmpty, "a limit of 0 returns nothing")
    }
}
