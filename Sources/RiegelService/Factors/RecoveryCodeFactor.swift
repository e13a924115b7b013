import RiegelCore

/// Recovery codes: a set of single-use codes shown once, stored only as
/// keyed digests (`otp` key, bound to the user id). A new set replaces the
/// old. They answer login, step-up and reset challenges like any factor;
/// each use is audited (`factor.recovery_code_used`). See
/// `docs/flows/recovery-codes.md`.
public struct RecoveryCodeFactor: SecondFactorMethod {
    let store: any FactorStore
    let challenges: FactorChallenges
    let digester: any KeyedDigester
    let random: any RandomSource
    let clock: any WallClock
    let audit: AuditRecorder
    /// Codes per set.
    public let count: Int

    /// The recovery-code factor over the given ports.
    public init(store: any FactorStore, challenges: FactorChallenges, digester: any KeyedDigester,
                random: any RandomSource, clock: any WallClock, audit: AuditRecorder,
                count: Int = RecoveryCode.defaultCount) {
        self.store = store
        self.challenges = challenges
        self.digester = digester
        self.random = random
        self.clock = clock
        self.audit = audit
        self.count = count
    }

    public var kind: FactorKind { .recoveryCode }

    public func factors(of account: AccountRecord) throws -> [FactorInfo] {
        guard let set = try store.factors(of: account.id).first(where: { $0.kind == .recoveryCode }) else { return [] }
        let left = try store.recoveryCodesLeft(of: account.id)
        guard left > 0 else { return [] }
        return [FactorInfo(id: set.id, kind: .recoveryCode, label: set.label, createdAt: set.createdAt,
                           lastUsedAt: set.lastUsedAt, codesLeft: left)]
    }

    /// Makes a new set (the old one stops working) and returns it, shown once.
    public func enrol(_ request: FactorEnrolmentRequest) async throws -> FactorEnrolment {
        var codes: [RecoveryCode] = []
        while codes.count < count {
            let code = RecoveryCode.generate(using: random)
            if !codes.contains(code) { codes.append(code) }
        }
        let factor = FactorRecord(id: FactorID.random(using: random), userID: request.account.id, kind: .recoveryCode,
                                  label: "recovery codes", state: .active, createdAt: clock.now())
        try store.replaceRecoveryCodes(factor, digests: codes.map {
            digester.digest($0.digestMessage(user: request.account.id), purpose: .otp)
        })
        return FactorEnrolment(factorID: factor.id, recoveryCodes: codes.map(\.display))
    }

    public func confirm(_ account: AccountRecord, factor: FactorID, code: String) throws -> FactorInfo {
        // A set is active when made: there is nothing to confirm.
        throw try store.factor(id: factor)?.userID == account.id ? RiegelError.noPendingEnrolment
            : RiegelError.noSuchFactor
    }

    public func challenge(_ request: FactorChallengeRequest) async throws -> ChallengeView {
        guard try !factors(of: request.account).isEmpty else { throw RiegelError.noSuchFactor }
        return try challenges.start(.recoveryCode, request)
    }

    public func verify(challenge id: ChallengeID, code: String) throws -> VerifiedChallenge? {
        let parsed = RecoveryCode(parsing: code)
        let verified = try challenges.verify(id, kind: .recoveryCode, code: code, malformed: { _ in
            parsed == nil ? "a recovery code is \(RecoveryCode.length) letters and digits" : nil
        }) { challenge, now in
            guard let parsed else { return .noMatch() }
            let digests = digester.allDigests(parsed.digestMessage(user: challenge.userID), purpose: .otp)
            return try store.useRecoveryCode(of: challenge.userID, digests: digests, at: now) ? .matched : .noMatch()
        }
        if let verified {
            audit.record(.recoveryCodeUsed, .success, user: verified.userID, reason: verified.purpose.rawValue,
                         details: ["challenge_id": id.rawValue,
                                   "codes_left": "\(try store.recoveryCodesLeft(of: verified.userID))"])
        }
        return verified
    }

    public func remove(_ id: FactorID, of account: AccountRecord) throws {
        guard let set = try store.factor(id: id), set.userID == account.id, set.kind == .recoveryCode else {
            throw RiegelError.noSuchFactor
        }
        try store.remove(id: id)
    }

    public func removeAll(of account: AccountRecord) throws {
        for set in try store.factors(of: account.id) where set.kind == .recoveryCode { try store.remove(id: set.id) }
    }
}
