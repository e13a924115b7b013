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
    /// code) under this service's lock and the account's wrong-code budget
    /// (one atomic update of it, across riegeld instances; `check` gets the
    /// wrong codes the budget still allows),
    /// the one SMS codes count against: while it is locked the answer is
    /// `TooManyAttempts` and `check` does not run; a `.wrong` outcome counts
    /// (and may lock it, audited `second_factor.locked`). Each outcome is
    /// counted in `riegel_second_factor_verifications_total` for `factor`.
    func budgeted<Value: Sendable>(_ factor: FactorKind, user: UserID, details: [String: String],
                                   _ check: (Instant, _ budgetLeft: Int) throws -> BudgetedCheck<Value>) throws -> Value {
        // The check runs inside one atomic update of the account's budget
        // (``SMSCounterStore/updateBudget(of:_:)``): its reads and writes of the
        // factor store join that transaction, and checks of the account by
        // other riegeld instances wait for it, so a wrong code is never lost
        // and a code is never used twice.
        let (decision, lockedUntil): (BudgetedCheck<Value>, Instant?)
        do {
            (decision, lockedUntil) = try lock.withLock { _ -> (BudgetedCheck<Value>, Instant?) in
                let now = clock.now()
                return try counters.updateBudget(of: user) { stored -> (BudgetedCheck<Value>, Instant?) in
                    var budget = stored ?? SecondFactorBudget()
                    if let error = budget.error(now: now) { throw BudgetLocked(error: error) }
                    let decision = try check(now, left(budget, now: now))
                    guard case .wrong(_, let weight) = decision else { return (decision, nil) }
                    let locked = countWrongCode(&budget, now: now, weight: weight)
                    stored = budget
                    return (decision, locked)
                }
            }
        } catch let locked as BudgetLocked {
            metrics.secondFactor(factor, .locked)
            audit.record(.challengeRefused, .failure, user: user, reason: "second_factor_locked", details: details)
            throw locked.error
        }
        auditLock(lockedUntil, user: user)
        switch decision {
        case .accepted(let value):
            metrics.secondFactor(factor, .success)
            return value
        case .refused(let error, let outcome):
            metrics.secondFactor(factor, outcome)
            throw error
        case .wrong(let error, _):
            metrics.secondFactor(factor, error == .invalidCode(attemptsLeft: 0) ? .exhausted : .wrongCode)
            throw error
        }
    }

    /// Runs `body` (a ``budgeted(_:user:details:_:)`` call) with a list its
    /// check fills with audit records, and makes them once the budget's
    /// transaction has committed: on a result, or on the error that reports
    /// the stored outcome (a ``RiegelError``). A store failure rolled the
    /// transaction back: nothing of it happened, so nothing is audited.
    @discardableResult
    func afterCommit<T>(_ body: (inout [@Sendable () -> Void]) throws -> T) throws -> T {
        var audits: [@Sendable () -> Void] = []
        do {
            let result = try body(&audits)
            audits.forEach { $0() }
            return result
        } catch let error as RiegelError {
            audits.forEach { $0() }
            throw error
        }
    }

    /// Wrong codes `budget` still allows at `now`.
    private func left(_ budget: SecondFactorBudget, now: Instant) -> Int {
        max(0, policy.budget.threshold - budget.failures.filter { now.seconds(since: $0) < policy.budget.window }.count)
    }

    /// The stored SMS challenge with this id (``BeginChallenge`` copies it to another factor).
    func stored(id: ChallengeID) throws -> StoredChallenge? {
        try store.challenge(id: id)
    }
}

/// The account's budget was locked: the check did not run, nothing was stored.
private struct BudgetLocked: Error {
    let error: RiegelError
}
