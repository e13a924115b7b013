import RiegelCore

/// The rules every ``KeyRewrapStore`` must keep: counting key references,
/// finding values under older keys, replacing only unchanged values, keeping
/// one job per purpose, and retiring only unused, inactive keys. Call
/// ``run(_:)`` with a factory for an empty store paired with the stores that
/// fill it, on the same database.
public enum KeyRewrapStoreConformance {
    /// A re-wrap store under test with the stores that fill it.
    public struct Subject: Sendable {
        public var rewrap: any KeyRewrapStore
        public var accounts: any AccountStore
        public var activationCodes: any ActivationCodeStore
        public var keys: any WrappedKeyStore

        /// The four on one database.
        public init(rewrap: any KeyRewrapStore, accounts: any AccountStore,
                    activationCodes: any ActivationCodeStore, keys: any WrappedKeyStore) {
            self.rewrap = rewrap
            self.accounts = accounts
            self.activationCodes = activationCodes
            self.keys = keys
        }
    }

    /// Every rule, by name, each run against fresh stores.
    public static let checks: [(name: String, body: @Sendable (Subject) async throws -> Void)] = [
        ("usageCountsEachRowOncePerKey", usageCountsEachRowOncePerKey),
        ("usageCountsOnlyLiveActivationCodes", usageCountsOnlyLiveActivationCodes),
        ("staleValuesAreThoseUnderOlderKeysUpToTheLimit", staleValuesAreThoseUnderOlderKeysUpToTheLimit),
        ("replaceWritesOnlyUnchangedValuesAndSavesProgress", replaceWritesOnlyUnchangedValuesAndSavesProgress),
        ("replacedPIIMovesTheValueAndItsIndexTogether", replacedPIIMovesTheValueAndItsIndexTogether),
        ("eachPurposeKeepsOneJob", eachPurposeKeepsOneJob),
        ("retireRefusesUnknownActiveAndUsedKeysAndChangesNothing", retireRefusesUnknownActiveAndUsedKeysAndChangesNothing),
        ("retireEmptiesAnUnusedKeysMaterial", retireEmptiesAnUnusedKeysMaterial),
    ]

    /// Runs every rule, each against fresh stores from `makeStores`.
    public static func run(_ makeStores: () throws -> Subject) async throws {
        try await StoreConformance.run("KeyRewrapStore", checks, makeStores)
    }

    private static let expect = StoreConformance.expect
    private static func key(_ n: UInt32) -> KeyID { KeyID(rawValue: n) }
    private static let now = StoreConformance.at(1_000)

    /// Account `n` with its password under key `passwordKey` (email under 2, its index under 3,
    /// as ``StoreConformance/account(_:username:emailIndex:createdAt:)``), and a phone under 2 / 3 if asked.
    private static func account(_ n: Int, passwordKey: UInt32 = 1, phone: Bool = false) throws -> AccountRecord {
        var record = try StoreConformance.account(n)
        record.passwordHash = SealedSecret(bytes: StoreConformance.bytes(UInt8(200 + n), count: 120), keyID: key(passwordKey))
        if phone {
            record.phone = SealedSecret(bytes: StoreConformance.bytes(UInt8(50 + n), count: 40), keyID: key(2))
            record.phoneIndex = KeyedDigest(bytes: StoreConformance.bytes(UInt8(150 + n)), keyID: key(3))
        }
        return record
    }

    private static func code(_ n: Int, user: UserID, keyID: UInt32, expiresAt: Instant) -> ActivationCodeRecord {
        ActivationCodeRecord(digest: KeyedDigest(bytes: StoreConformance.bytes(UInt8(n)), keyID: key(keyID)), userID: user,
                             subject: "contract-\(n)", createdAt: StoreConformance.at(0), expiresAt: expiresAt)
    }

    static func usageCountsEachRowOncePerKey(_ s: Subject) async throws {
        try s.accounts.create(account(1))
        try s.accounts.create(account(2, phone: true))
        let usage = try await s.rewrap.usage(now: now)
        // Account 2 uses key 2 for its e-mail and its phone: one row, counted once.
        try expect(usage == [key(1): 2, key(2): 2, key(3): 2], "usage must count each row once per key, got \(usage)")
    }

    static func usageCountsOnlyLiveActivationCodes(_ s: Subject) async throws {
        let user = try account(1)
        try s.accounts.create(user)
        try s.activationCodes.create(code(1, user: user.id, keyID: 5, expiresAt: StoreConformance.at(2_000)))
        try s.activationCodes.create(code(2, user: user.id, keyID: 5, expiresAt: StoreConformance.at(500)))
        try s.activationCodes.create(code(3, user: user.id, keyID: 6, expiresAt: StoreConformance.at(2_000)))
        let redeemed = try s.activationCodes.redeem(userID: user.id, candidates: [code(3, user: user.id, keyID: 6,
                                                                                          expiresAt: now).digest], now: now)
        try expect(redeemed != nil, "the third code must redeem")
        let usage = try await s.rewrap.usage(now: now)
        try expect(usage[key(5)] == 1, "one live code under key 5, got \(usage[key(5)] ?? 0)")
        try expect(usage[key(6)] == nil, "a redeemed code must not keep key 6 in use, got \(usage[key(6)] ?? 0)")
    }

    static func staleValuesAreThoseUnderOlderKeysUpToTheLimit(_ s: Subject) async throws {
        for n in 1...3 { try s.accounts.create(account(n, passwordKey: 1)) }
        try s.accounts.create(account(4, passwordKey: 4, phone: true))
        try expect(try await s.rewrap.staleCount(.password, current: key(4)) == 3, "three hashes are under key 1")
        try expect(try await s.rewrap.staleCount(.password, current: key(1)) == 0, "nothing is older than key 1")
        // PII: four e-mails and one phone under key 2.
        try expect(try await s.rewrap.staleCount(.pii, current: key(4)) == 5, "four e-mails and a phone are under key 2")
        let two = try await s.rewrap.staleSecrets(.password, current: key(4), limit: 2)
        try expect(two.count == 2, "the limit must bound the batch, got \(two.count)")
        try expect(two.allSatisfy { $0.keyID == key(1) }, "every stale value must be under the older key")
        let all = try await s.rewrap.staleSecrets(.pii, current: key(4), limit: 10)
        let phones = all.filter { if case .phone = $0 { true } else { false } }
        try expect(all.count == 5 && phones.count == 1, "all PII values, the phone among them, got \(all)")
    }

    static func replaceWritesOnlyUnchangedValuesAndSavesProgress(_ s: Subject) async throws {
        for n in 1...2 { try s.accounts.create(account(n)) }
        let stale = try await s.rewrap.staleSecrets(.password, current: key(4), limit: 10)
        try expect(stale.count == 2, "two stale hashes")
        // Account 1 changes its password meanwhile (under the new key).
        let changed = SealedSecret(bytes: StoreConformance.bytes(77, count: 120), keyID: key(4))
        try s.accounts.updatePasswordHash(id: StoreConformance.userID(1), changed)
        let replacements = stale.map { old -> RewrappedSecret in
            RewrappedSecret(stale: old, sealed: SealedSecret(bytes: StoreConformance.bytes(99, count: 120), keyID: key(4)))
        }
        let job = KeyRewrap(purpose: .password, keyID: key(4), state: .running, processed: 0, total: 2,
                            startedAt: StoreConformance.at(1), updatedAt: StoreConformance.at(2), problem: nil)
        let saved = try await s.rewrap.replace(replacements, progress: job)
        try expect(saved.processed == 1, "only the unchanged hash is written, got processed \(saved.processed)")
        try expect(try s.accounts.account(id: StoreConformance.userID(1))?.passwordHash == changed,
                   "a value changed meanwhile must not be overwritten")
        try expect(try s.accounts.account(id: StoreConformance.userID(2))?.passwordHash.keyID == key(4),
                   "the unchanged hash is under the new key")
        try expect(try await s.rewrap.rewraps() == [saved], "the progress is saved with the batch")
        try expect(try await s.rewrap.staleCount(.password, current: key(4)) == 0, "nothing is left under key 1")
    }

    static func replacedPIIMovesTheValueAndItsIndexTogether(_ s: Subject) async throws {
        try s.accounts.create(account(1, phone: true))
        let stale = try await s.rewrap.staleSecrets(.pii, current: key(4), limit: 10)
        try expect(stale.count == 2, "an e-mail and a phone are stale, got \(stale)")
        let replacements = stale.enumerated().map { n, old in
            RewrappedSecret(stale: old, sealed: SealedSecret(bytes: StoreConformance.bytes(UInt8(60 + n), count: 45), keyID: key(4)),
                            digest: KeyedDigest(bytes: StoreConformance.bytes(UInt8(70 + n)), keyID: key(4)))
        }
        let job = KeyRewrap(purpose: .pii, keyID: key(4), state: .running, processed: 0, total: 2,
                            startedAt: StoreConformance.at(1), updatedAt: StoreConformance.at(2), problem: nil)
        let saved = try await s.rewrap.replace(replacements, progress: job)
        try expect(saved.processed == 2, "both values are written, got processed \(saved.processed)")
        guard let stored = try s.accounts.account(id: StoreConformance.userID(1)) else {
            throw ConformanceFailure("the account is gone")
        }
        try expect(stored.email?.keyID == key(4) && stored.emailIndex?.keyID == key(4), "the e-mail and its index moved")
        try expect(stored.phone?.keyID == key(4) && stored.phoneIndex?.keyID == key(4), "the phone and its index moved")
        try expect(try await s.rewrap.staleCount(.pii, current: key(4)) == 0, "nothing is left under key 2")
    }

    static func eachPurposeKeepsOneJob(_ s: Subject) async throws {
        func job(_ purpose: KeyPurpose, _ id: UInt32, _ state: KeyRewrapState, _ processed: Int) -> KeyRewrap {
            KeyRewrap(purpose: purpose, keyID: key(id), state: state, processed: processed, total: 10,
                      startedAt: StoreConformance.at(Double(id)), updatedAt: StoreConformance.at(Double(id) + 1),
                      problem: state == .failed ? "a forged checkpoint" : nil)
        }
        try await s.rewrap.save(job(.password, 4, .running, 3))
        try await s.rewrap.save(job(.pii, 5, .failed, 1))
        try await s.rewrap.save(job(.password, 6, .finished, 10))
        let jobs = try await s.rewrap.rewraps()
        try expect(Set(jobs) == [job(.password, 6, .finished, 10), job(.pii, 5, .failed, 1)],
                   "the latest job of each purpose, got \(jobs)")
    }

    private static func fillKeys(_ s: Subject) throws {
        try s.keys.apply(WrappedKeyChange(inserts: [
            WrappedKeyStoreConformance.key(1, .password, .decryptOnly),
            WrappedKeyStoreConformance.key(4, .password, .active),
            WrappedKeyStoreConformance.key(7, .pii, .decryptOnly),
        ]))
    }

    static func retireRefusesUnknownActiveAndUsedKeysAndChangesNothing(_ s: Subject) async throws {
        try fillKeys(s)
        try s.accounts.create(account(1))
        let before = try s.keys.load()
        for (id, expected) in [(99, KeyRewrapStoreError.unknownKey(key(99))), (4, .active(key(4))),
                               (1, .inUse(key(1), count: 1))] {
            do {
                _ = try await s.rewrap.retire(key(UInt32(id)), now: now)
                throw ConformanceFailure("retiring key \(id) must be refused")
            } catch let error as KeyRewrapStoreError {
                try expect(error == expected, "key \(id): expected \(expected), got \(error)")
            }
        }
        try expect(try s.keys.load() == before, "a refused retirement must change no key")
    }

    static func retireEmptiesAnUnusedKeysMaterial(_ s: Subject) async throws {
        try fillKeys(s)
        try s.accounts.create(account(1))
        _ = try await s.rewrap.retire(key(7), now: now)
        let keys = try s.keys.load().keys
        guard let retired = keys.first(where: { $0.id == key(7) }) else {
            throw ConformanceFailure("a retired key stays listed")
        }
        try expect(retired.state == .retired && retired.wrapped.isEmpty, "retired with no material, got \(retired.state)")
        try expect(keys.filter { $0.id != key(7) } == [WrappedKeyStoreConformance.key(1, .password, .decryptOnly),
                                                        WrappedKeyStoreConformance.key(4, .password, .active)],
                   "the other keys are unchanged")
    }
}
