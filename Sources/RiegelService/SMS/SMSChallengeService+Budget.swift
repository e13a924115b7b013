import RiegelCore

/// What a budgeted code check of another factor decided.
enum BudgetedCheck<Value: Sendable>: Sendable {
    /// The code was right.
    case accepted(Value)
    /// A wrong code: counts `weight` wrong codes against the account's
    /// budget (a code compared with several valid ones is that many guesses),
    /// then this error.
    case wrong(RiegelError, weight: Int = 1)
    /// Refused without comparing a code that could count (a replay, a closed
    /// challenge): this error, nothing counted; `outcome` says why for the
    /// metric (`expired` or `already_used`).
    case refused(RiegelError, outcome: SecondFactorOutcome)
}

extension SMSChallengeService {
    /// Runs a code check of a factor that sends nothing (TOTP, a recovery
    /// code) under this service's lock and the account's wrong-code budget,
    /// the one SMS codes count against: while it is locked the answer is
    /// `TooManyAttempts` and `check` does not run; a `.wrong` outcome counts
    /// (and may lock it, audited `second_factor.locked`). Each outcome is
    /// counted in `riegel_second_factor_verifications_total` for `factor`.
    func budgeted<Value: Sendable>(_ factor: FactorKind, user: UserID, details: [String: String],
                                   _ check: (Instant) throws -> BudgetedCheck<Value>) throws -> Value {
        try lock.withLock { _ in
            let now = clock.now()
            var budget = try counters.budget(of: user) ?? SecondFactorBudget()
            if let error = budget.error(now: now) {
                metrics.secondFactor(factor, .locked)
                audit.record(.challengeRefused, .failure, user: user, reason: "second_factor_locked", details: details)
                throw error
            }
            switch try check(now) {
            case .accepted(let value):
                metrics.secondFactor(factor, .success)
                return value
            case .refused(let error, let outcome):
                metrics.secondFactor(factor, outcome)
                throw error
            case .wrong(let error, let weight):
                metrics.secondFactor(factor, error == .invalidCode(attemptsLeft: 0) ? .exhausted : .wrongCode)
                try recordWrongCode(&budget, user: user, now: now, weight: weight)
                throw error
            }
        }
    }

    /// Wrong codes the account may still enter before its budget locks
    /// (what `InvalidCode.attempts_left` says for an enrolment's code).
    func budgetLeft(of user: UserID) throws -> Int {
        let budget = try counters.budget(of: user) ?? SecondFactorBudget()
        return max(0, policy.budget.threshold - budget.failures.filter {
            clock.now().seconds(since: $0) < policy.budget.window
        }.count)
    }

    /// The stored SMS challenge with this id (``BeginChallenge`` copies it to another factor).
    func stored(id: ChallengeID) throws -> StoredChallenge? {
        try store.challenge(id: id)
    }
}
