import RiegelCore
import Synchronization

/// A ``FactorStore`` in memory with the SQLite store's rules: active TOTP
/// labels unique per account, one recovery set per account, every
/// single-use rule a compare-and-set under one lock. Rows of an account
/// deleted through an ``InMemoryAccountStore`` on the same ``InMemoryStoreData``
/// go with it.
public final class InMemoryFactorStore: FactorStore, Sendable {
    private struct Code: Sendable {
        var digest: KeyedDigest
        var factorID: FactorID
        var usedAt: Instant?
    }

    private struct Tables: Sendable {
        var factors: [FactorID: FactorRecord] = [:]
        var codes: [UserID: [Code]] = [:]
        var challenges: [ChallengeID: FactorChallenge] = [:]
    }

    private let tables = Mutex(Tables())
    private let data: InMemoryStoreData?

    /// A store; with `data`, it sees which accounts exist (a deleted account's rows vanish).
    public init(data: InMemoryStoreData? = nil) {
        self.data = data
    }

    /// Whether `user` still exists (always, without shared data).
    private func exists(_ user: UserID) -> Bool {
        data.map { $0.tables.withLock { $0.accounts[user] != nil } } ?? true
    }

    public func create(_ factor: FactorRecord) throws {
        try tables.withLock { t in
            if t.factors[factor.id] != nil { throw InMemoryStoreError.duplicate("factor.id") }
            if factor.kind == .totp, factor.state == .active, t.factors.values.contains(where: {
                $0.userID == factor.userID && $0.kind == .totp && $0.state == .active && $0.label == factor.label
            }) { throw FactorStoreError.labelTaken }
            if factor.kind == .recoveryCode, t.factors.values.contains(where: {
                $0.userID == factor.userID && $0.kind == .recoveryCode
            }) { throw InMemoryStoreError.duplicate("factor.recovery_code") }
            t.factors[factor.id] = factor
        }
    }

    public func factor(id: FactorID) throws -> FactorRecord? {
        tables.withLock { $0.factors[id] }.flatMap { exists($0.userID) ? $0 : nil }
    }

    public func factors(of userID: UserID) throws -> [FactorRecord] {
        guard exists(userID) else { return [] }
        return tables.withLock { t in
            t.factors.values.filter { $0.userID == userID }
                .sorted { ($0.createdAt, $0.id.rawValue) < ($1.createdAt, $1.id.rawValue) }
        }
    }

    @discardableResult
    public func remove(id: FactorID) throws -> Bool {
        tables.withLock { t in
            guard let factor = t.factors.removeValue(forKey: id) else { return false }
            t.codes[factor.userID]?.removeAll { $0.factorID == id }
            return true
        }
    }

    @discardableResult
    public func removeAll(of userID: UserID) throws -> Int {
        tables.withLock { t in
            let before = t.factors.count
            t.factors = t.factors.filter { $0.value.userID != userID }
            t.codes[userID] = nil
            t.challenges = t.challenges.filter { $0.value.userID != userID }
            return before - t.factors.count
        }
    }

    public func confirmTOTP(id: FactorID, step: Int64, at: Instant) throws -> Bool {
        tables.withLock { t in
            guard var factor = t.factors[id], factor.kind == .totp, factor.state == .pending else { return false }
            factor.state = .active
            factor.lastStep = step
            factor.lastUsedAt = at
            t.factors[id] = factor
            return true
        }
    }

    public func useTOTPStep(id: FactorID, step: Int64, at: Instant) throws -> Bool {
        tables.withLock { t in
            guard var factor = t.factors[id], factor.kind == .totp, factor.state == .active,
                  factor.lastStep.map({ $0 < step }) ?? true else { return false }
            factor.lastStep = step
            factor.lastUsedAt = at
            t.factors[id] = factor
            return true
        }
    }

    public func replaceRecoveryCodes(_ factor: FactorRecord, digests: [KeyedDigest]) throws {
        tables.withLock { t in
            t.factors = t.factors.filter { !($0.value.userID == factor.userID && $0.value.kind == .recoveryCode) }
            t.factors[factor.id] = factor
            t.codes[factor.userID] = digests.map { Code(digest: $0, factorID: factor.id) }
        }
    }

    public func useRecoveryCode(of userID: UserID, digests: [KeyedDigest], at: Instant) throws -> Bool {
        guard exists(userID) else { return false }
        return tables.withLock { t in
            guard var codes = t.codes[userID],
                  let index = codes.firstIndex(where: { $0.usedAt == nil && digests.contains($0.digest) }) else {
                return false
            }
            codes[index].usedAt = at
            t.codes[userID] = codes
            if let set = t.factors.values.first(where: { $0.userID == userID && $0.kind == .recoveryCode }) {
                t.factors[set.id]?.lastUsedAt = at
            }
            return true
        }
    }

    public func recoveryCodesLeft(of userID: UserID) throws -> Int {
        guard exists(userID) else { return 0 }
        return tables.withLock { ($0.codes[userID] ?? []).filter { $0.usedAt == nil }.count }
    }

    public func createChallenge(_ challenge: FactorChallenge) throws {
        try tables.withLock { t in
            if t.challenges[challenge.id] != nil { throw InMemoryStoreError.duplicate("factor_challenge.id") }
            t.challenges[challenge.id] = challenge
        }
    }

    public func challenge(id: ChallengeID) throws -> FactorChallenge? {
        tables.withLock { $0.challenges[id] }.flatMap { exists($0.userID) ? $0 : nil }
    }

    public func updateChallenge(_ challenge: FactorChallenge) throws -> Bool {
        tables.withLock { t in
            guard t.challenges[challenge.id]?.state == .pending else { return false }
            t.challenges[challenge.id] = challenge
            return true
        }
    }

    @discardableResult
    public func purgeChallenges(now: Instant) throws -> Int {
        tables.withLock { t in
            let before = t.challenges.count
            t.challenges = t.challenges.filter { $0.value.state == .pending && $0.value.expiresAt > now }
            return before - t.challenges.count
        }
    }
}
