import RiegelCore

/// The challenges of factors that send nothing (TOTP, recovery codes):
/// start them, and check a code for one under the account's shared
/// wrong-code budget. ``TOTPFactor`` and ``RecoveryCodeFactor`` supply how a
/// code matches.
public struct FactorChallenges: Sendable {
    /// What a kind's matcher found for a code.
    enum Match: Sendable {
        /// Right (and spent, where single use is the factor's business).
        case matched
        /// Wrong: counts as `weight` wrong codes (the valid codes it was
        /// compared with: a TOTP code meets one per step of skew and app).
        case noMatch(weight: Int = 1)
        /// Right once, already accepted (a TOTP replay): refused, not counted.
        case replayed
    }

    let store: any FactorStore
    let sms: SMSChallengeService
    let random: any RandomSource
    let clock: any WallClock
    let audit: AuditRecorder

    /// Challenges in `store`, budgeted through `sms` (its budget and lock).
    public init(store: any FactorStore, sms: SMSChallengeService, random: any RandomSource, clock: any WallClock,
                audit: AuditRecorder) {
        self.store = store
        self.sms = sms
        self.random = random
        self.clock = clock
        self.audit = audit
    }

    /// Starts and stores a challenge of `kind` (lifetime and attempts as an SMS challenge's).
    func start(_ kind: FactorKind, _ request: FactorChallengeRequest) throws -> ChallengeView {
        let challenge = FactorChallenge.start(
            id: ChallengeID.random(using: random), purpose: request.purpose, kind: kind, userID: request.account.id,
            sessionID: request.session, language: request.language, credentialGeneration: request.credentialGeneration,
            pendingReset: request.pendingReset, policy: sms.policy.challenge, now: clock.now())
        try store.createChallenge(challenge)
        return ChallengeView(challenge)
    }

    /// Checks `code` for challenge `id` of `kind`: nil if it is none.
    /// `malformed` says why a code cannot be one (nothing counted then);
    /// `match` compares (under the budget's lock).
    func verify(_ id: ChallengeID, kind: FactorKind, code: String, malformed: (String) -> String?,
                match: (FactorChallenge, Instant) throws -> Match) throws -> VerifiedChallenge? {
        guard let first = try store.challenge(id: id), first.kind == kind else { return nil }
        let details = ["challenge_id": id.rawValue, "factor": kind.rawValue]
        if let reason = malformed(code) {
            audit.record(.challengeFailed, .failure, user: first.userID, reason: "malformed_code", details: details)
            throw RiegelError.malformedCode(reason: reason)
        }
        // Audited once the budget's transaction committed (``SMSChallengeService/afterCommit(_:)``).
        return try sms.afterCommit { audits in
            try sms.budgeted(kind, user: first.userID, details: details) { now, _ -> BudgetedCheck<VerifiedChallenge> in
                guard var challenge = try store.challenge(id: id) else {
                    return .refused(.challengeExpired, outcome: .expired)
                }
                let user = challenge.userID
                guard challenge.state(at: now) == .pending else {
                    let expired = challenge.state(at: now) == .expired
                    audits.append { [audit] in
                        audit.record(.challengeFailed, .failure, user: user,
                                     reason: expired ? "expired" : "already_used", details: details)
                    }
                    return .refused(.challengeExpired, outcome: expired ? .expired : .alreadyUsed)
                }
                switch try match(challenge, now) {
                case .replayed:
                    audits.append { [audit] in
                        audit.record(.challengeFailed, .failure, user: user, reason: "replayed_code", details: details)
                    }
                    return .refused(.codeAlreadyUsed, outcome: .alreadyUsed)
                case .matched:
                    _ = challenge.verify(codeMatches: true, now: now)
                    guard try store.updateChallenge(challenge) else {
                        return .refused(.challengeExpired, outcome: .expired)
                    }
                    let purpose = challenge.purpose.rawValue
                    audits.append { [audit] in
                        audit.record(.challengeVerified, .success, user: user, reason: purpose, details: details)
                    }
                    return .accepted(VerifiedChallenge(challenge))
                case .noMatch(let weight):
                    let outcome = challenge.verify(codeMatches: false, now: now)
                    _ = try store.updateChallenge(challenge)
                    let left = ["attempts_left": "\(challenge.attemptsLeft)"]
                    audits.append { [audit] in
                        audit.record(.challengeFailed, .failure, user: user, reason: "wrong_code",
                                     details: details.merging(left) { a, _ in a })
                    }
                    return .wrong(outcome.error ?? .invalidCode(attemptsLeft: 0), weight: weight)
                }
            }
        }
    }
}
