import RiegelCore

/// The rules every ``ActivationCodeStore`` must keep. Call ``run(_:)`` with a
/// factory for an empty store paired with an account store on the same data.
public enum ActivationCodeStoreConformance {
    public typealias Subject = StoreWithAccounts<any ActivationCodeStore>

    /// Every rule, by name, each run against fresh stores.
    public static let checks: [(name: String, body: @Sendable (Subject) throws -> Void)] = [
        ("codeIsRedeemedOnceAmongCandidates", codeIsRedeemedOnceAmongCandidates),
        ("wrongUserRedeemsNothingAndLeavesTheCode", wrongUserRedeemsNothingAndLeavesTheCode),
        ("expiredCodeIsNotRedeemed", expiredCodeIsNotRedeemed),
        ("candidateMustMatchKeyIDToo", candidateMustMatchKeyIDToo),
        ("noCandidatesRedeemNothing", noCandidatesRedeemNothing),
        ("countLiveCountsUnexpiredUnredeemedByKeyID", countLiveCountsUnexpiredUnredeemedByKeyID),
        ("duplicateDigestIsRefused", duplicateDigestIsRefused),
        ("deletingTheAccountRemovesItsCodes", deletingTheAccountRemovesItsCodes),
    ]

    /// Runs every rule, each against fresh stores from `makeStores`.
    public static func run(_ makeStores: () throws -> Subject) throws {
        for check in checks {
            let subject = try makeStores()
            try StoreConformance.check("ActivationCodeStore", check.name) { try check.body(subject) }
        }
    }

    typealias C = StoreConformance

    static func users(_ subject: Subject, _ numbers: Int...) throws {
        for n in numbers { try subject.accounts.create(try C.account(n)) }
    }

    static func digest(_ seed: UInt8, key: UInt32 = 5) -> KeyedDigest {
        KeyedDigest(bytes: C.bytes(seed), keyID: KeyID(rawValue: key))
    }

    static func code(_ seed: UInt8, user: Int = 1, key: UInt32 = 5, expiresAt: Double = 86_400,
                     redeemedAt: Instant? = nil) -> ActivationCodeRecord {
        ActivationCodeRecord(digest: digest(seed, key: key), userID: C.userID(user), subject: "contract 4711-\(seed)",
                             createdAt: C.at(0.5), expiresAt: C.at(expiresAt), redeemedAt: redeemedAt)
    }

    static func codeIsRedeemedOnceAmongCandidates(_ subject: Subject) throws {
        let store = subject.store
        try users(subject, 1)
        try store.create(code(1))
        try store.create(code(2))
        let candidates = [digest(9, key: 6), digest(1)]  // one per usable key: the new key's digest misses
        var expected = code(1)
        expected.redeemedAt = C.at(100)
        let redeemed = try store.redeem(userID: C.userID(1), candidates: candidates, now: C.at(100))
        try C.expect(redeemed == expected, "the matching code must be redeemed and returned with its time; got \(String(describing: redeemed))")
        try C.expect(try store.redeem(userID: C.userID(1), candidates: candidates, now: C.at(101)) == nil,
                     "a redeemed code must not be redeemed again")
        try C.expect(try store.redeem(userID: C.userID(1), candidates: [digest(2)], now: C.at(102)) != nil,
                     "redeeming one code must leave the user's other codes")
    }

    static func wrongUserRedeemsNothingAndLeavesTheCode(_ subject: Subject) throws {
        let store = subject.store
        try users(subject, 1, 2)
        try store.create(code(1, user: 1))
        try C.expect(try store.redeem(userID: C.userID(2), candidates: [digest(1)], now: C.at(10)) == nil,
                     "another user's code must not be redeemed")
        try C.expect(try store.redeem(userID: C.userID(1), candidates: [digest(1)], now: C.at(11)) != nil,
                     "a failed redemption by another user must leave the code usable")
    }

    static func expiredCodeIsNotRedeemed(_ subject: Subject) throws {
        let store = subject.store
        try users(subject, 1)
        try store.create(code(1, expiresAt: 600))
        try C.expect(try store.redeem(userID: C.userID(1), candidates: [digest(1)], now: C.at(600)) == nil,
                     "a code must not be redeemed at its expiry time")
        try C.expect(try store.countLive(keyID: KeyID(rawValue: 5), now: C.at(600)) == 0,
                     "an expired code must not count as live")
        try store.create(code(2, expiresAt: 600))
        try C.expect(try store.redeem(userID: C.userID(1), candidates: [digest(2)], now: C.at(599.5)) != nil,
                     "a code must be redeemable just before its expiry")
    }

    static func candidateMustMatchKeyIDToo(_ subject: Subject) throws {
        let store = subject.store
        try users(subject, 1)
        try store.create(code(1, key: 5))
        try C.expect(try store.redeem(userID: C.userID(1), candidates: [digest(1, key: 6)], now: C.at(10)) == nil,
                     "the right bytes under another key id must not redeem")
    }

    static func noCandidatesRedeemNothing(_ subject: Subject) throws {
        let store = subject.store
        try users(subject, 1)
        try store.create(code(1))
        try C.expect(try store.redeem(userID: C.userID(1), candidates: [], now: C.at(10)) == nil,
                     "no candidates must redeem nothing")
    }

    static func countLiveCountsUnexpiredUnredeemedByKeyID(_ subject: Subject) throws {
        let store = subject.store
        try users(subject, 1, 2)
        try store.create(code(1, key: 5))
        try store.create(code(2, user: 2, key: 5))
        try store.create(code(3, key: 5, expiresAt: 60))
        try store.create(code(4, key: 5, redeemedAt: C.at(5)))
        try store.create(code(5, key: 6))
        let now = C.at(100)
        try C.expect(try store.countLive(keyID: KeyID(rawValue: 5), now: now) == 2,
                     "live codes under key 5: two (one expired, one redeemed)")
        try C.expect(try store.countLive(keyID: KeyID(rawValue: 6), now: now) == 1, "live codes under key 6: one")
        try C.expect(try store.countLive(keyID: KeyID(rawValue: 7), now: now) == 0, "no codes under key 7")
        try C.expect(try store.redeem(userID: C.userID(1), candidates: [digest(4)], now: now) == nil,
                     "a code stored as redeemed must not be redeemed")
        _ = try store.redeem(userID: C.userID(1), candidates: [digest(1)], now: now)
        try C.expect(try store.countLive(keyID: KeyID(rawValue: 5), now: now) == 1, "a redeemed code must stop counting")
    }

    static func duplicateDigestIsRefused(_ subject: Subject) throws {
        let store = subject.store
        try users(subject, 1)
        try store.create(code(1))
        try C.expectThrows("a second code with the same digest must be refused") { try store.create(code(1)) }
    }

    static func deletingTheAccountRemovesItsCodes(_ subject: Subject) throws {
        let store = subject.store
        try users(subject, 1, 2)
        try store.create(code(1, user: 1))
        try store.create(code(2, user: 2))
        try subject.accounts.delete(id: C.userID(1))
        try C.expect(try store.countLive(keyID: KeyID(rawValue: 5), now: C.at(10)) == 1,
                     "deleting an account must remove its codes")
        try subject.accounts.create(try C.account(1))
        try C.expect(try store.redeem(userID: C.userID(1), candidates: [digest(1)], now: C.at(10)) == nil,
                     "a re-created account with the same id must not find the old codes")
    }
}
