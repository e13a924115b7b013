import RiegelCore

/// Authenticator apps (RFC 6238): enrol a secret (sealed with the `otp`
/// key), confirm it with a first code, answer challenges with codes of the
/// current step, one step of skew either way. See `docs/flows/totp.md`.
///
/// - Important: a code is accepted once: its step is recorded by the store's
///   conditional write (``FactorStore/useTOTPStep(id:step:at:)``), so a
///   replay, parallel or later, is `CodeAlreadyUsed`. The secret is opened
///   only to compute codes and returned only by ``enrol(_:)``.
public struct TOTPFactor: SecondFactorMethod {
    let store: any FactorStore
    let challenges: FactorChallenges
    let sealer: any SecretSealer
    let mac: any OneTimePasswordMAC
    let random: any RandomSource
    let clock: any WallClock
    let audit: AuditRecorder
    /// The settings in force.
    public let policy: TOTPPolicy

    /// The TOTP factor over the given ports.
    public init(store: any FactorStore, challenges: FactorChallenges, sealer: any SecretSealer,
                mac: any OneTimePasswordMAC, random: any RandomSource, clock: any WallClock, audit: AuditRecorder,
                policy: TOTPPolicy = .default) {
        self.store = store
        self.challenges = challenges
        self.sealer = sealer
        self.mac = mac
        self.random = random
        self.clock = clock
        self.audit = audit
        self.policy = policy
    }

    public var kind: FactorKind { .totp }

    public func factors(of account: AccountRecord) throws -> [FactorInfo] {
        try store.factors(of: account.id).filter { $0.kind == .totp && $0.state == .active }.map {
            FactorInfo(id: $0.id, kind: .totp, label: $0.label, createdAt: $0.createdAt, lastUsedAt: $0.lastUsedAt)
        }
    }

    public func enrol(_ request: FactorEnrolmentRequest) async throws -> FactorEnrolment {
        let label: String
        do {
            label = try DeviceLabel(request.label ?? "Authenticator app").value
        } catch {
            throw RiegelError.invalidFactorLabel(reason: Self.reason(error))
        }
        let user = request.account.id
        let mine = try store.factors(of: user).filter { $0.kind == .totp && $0.label == label }
        if mine.contains(where: { $0.state == .active }) { throw RiegelError.factorLabelTaken }
        // Starting again with the same label replaces the enrolment that waited.
        for pending in mine { try store.remove(id: pending.id) }
        let id = FactorID.random(using: random)
        let secret = random.bytes(policy.secretLength)
        let factor = FactorRecord(id: id, userID: user, kind: .totp, label: label, state: .pending,
                                  createdAt: clock.now(),
                                  secret: try sealer.seal(secret, purpose: .otp, associatedData: FactorRecord.totpAAD(id)))
        do {
            try store.create(factor)
        } catch FactorStoreError.labelTaken {
            throw RiegelError.factorLabelTaken
        }
        return FactorEnrolment(factorID: id, secret: Base32.encode(secret),
                               uri: TOTPURI.make(secret: secret, issuer: policy.issuer,
                                                 accountName: request.account.username.value, policy: policy))
    }

    public func confirm(_ account: AccountRecord, factor id: FactorID, code: String) throws -> FactorInfo {
        guard let factor = try store.factor(id: id), factor.userID == account.id, factor.kind == .totp else {
            throw RiegelError.noSuchFactor
        }
        guard factor.state == .pending,
              clock.now().seconds(since: factor.createdAt) < policy.enrolmentLifetime else {
            throw RiegelError.noPendingEnrolment
        }
        if let reason = malformed(code) { throw RiegelError.malformedCode(reason: reason) }
        let secret = try open(factor)
        let details = ["factor_id": id.rawValue, "factor": "totp"]
        // Audited once the budget's transaction committed (``SMSChallengeService/afterCommit(_:)``).
        try challenges.sms.afterCommit { audits in
            try challenges.sms.budgeted(.totp, user: account.id, details: details) { now, left -> BudgetedCheck<Bool> in
                guard let step = TOTP.matchingStep(code, secret: secret, now: now, policy: policy, mac: mac) else {
                    let user = account.id
                    audits.append { [audit] in
                        audit.record(.challengeFailed, .failure, user: user, reason: "wrong_code", details: details)
                    }
                    let weight = policy.codesAccepted
                    return .wrong(.invalidCode(attemptsLeft: max(0, left - weight)), weight: weight)
                }
                guard try store.confirmTOTP(id: id, step: step, at: now) else {
                    return .refused(.noPendingEnrolment, outcome: .expired)
                }
                return .accepted(true)
            }
        }
        return FactorInfo(id: id, kind: .totp, label: factor.label, createdAt: factor.createdAt, lastUsedAt: clock.now())
    }

    public func challenge(_ request: FactorChallengeRequest) async throws -> ChallengeView {
        guard try !factors(of: request.account).isEmpty else { throw RiegelError.noSuchFactor }
        return try challenges.start(.totp, request)
    }

    public func verify(challenge id: ChallengeID, code: String) throws -> VerifiedChallenge? {
        try challenges.verify(id, kind: .totp, code: code, malformed: malformed) { challenge, now in
            // Every active app of the account is tried; the code's step is spent on the one it matched.
            var replayed = false
            var compared = 0
            for factor in try store.factors(of: challenge.userID) where factor.kind == .totp && factor.state == .active {
                compared += policy.codesAccepted
                guard let step = TOTP.matchingStep(code, secret: try open(factor), now: now, policy: policy, mac: mac)
                else { continue }
                if try store.useTOTPStep(id: factor.id, step: step, at: now) { return .matched }
                replayed = true
            }
            return replayed ? .replayed : .noMatch(weight: max(1, compared))
        }
    }

    public func remove(_ id: FactorID, of account: AccountRecord) throws {
        guard let factor = try store.factor(id: id), factor.userID == account.id, factor.kind == .totp else {
            throw RiegelError.noSuchFactor
        }
        try store.remove(id: id)
    }

    public func removeAll(of account: AccountRecord) throws {
        for factor in try store.factors(of: account.id) where factor.kind == .totp { try store.remove(id: factor.id) }
    }

    /// Why `code` cannot be a code, or nil.
    func malformed(_ code: String) -> String? {
        TOTP.isWellFormed(code, policy: policy) ? nil : "a code is \(policy.digits) digits"
    }

    /// The words of `InvalidFactorLabel` (the label rules are a device label's).
    static func reason(_ error: DeviceLabelError) -> String {
        switch error {
        case .empty: "the label is empty: give the app a name"
        case .tooLong: "the label is too long: use at most \(DeviceLabel.maximumLength) characters"
        case .invalidCharacter: "the label has a control or formatting character: use printable text"
        }
    }

    /// The factor's secret, opened.
    private func open(_ factor: FactorRecord) throws -> [UInt8] {
        guard let sealed = factor.secret else { throw RiegelError.noSuchFactor }
        return try sealer.open(sealed.bytes, purpose: .otp, associatedData: FactorRecord.totpAAD(factor.id))
    }
}
