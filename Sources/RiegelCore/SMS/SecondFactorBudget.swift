/// The per-account budget of wrong SMS codes across challenges: a Codable
/// value-type state on injected time, stored per account.
///
/// Check it before comparing a code (``check(now:)``); record every wrong
/// code (``recordFailure(now:policy:)``). At the policy's threshold within
/// its window the second factor locks: every verification answers
/// `TooManyAttempts(retry_after)` until the lock ends: after the policy's
/// lock duration, and never before the oldest of those wrong codes has left
/// the window, so any window holds at most `threshold` wrong codes.
///
/// - Important: the budget belongs to the **account**, not to a challenge
///   or a login: starting a new login or challenge never resets it, and
///   neither does a verified code. Only time (and an admin ``unlock()``)
///   lifts it; otherwise each fresh challenge would buy 5 more guesses.
public struct SecondFactorBudget: Sendable, Hashable, Codable {
    /// Times of recent wrong codes, oldest first (bounded by the threshold).
    public private(set) var failures: [Instant]
    /// While in the future, the second factor is locked.
    public private(set) var lockedUntil: Instant?

    /// A fresh budget.
    public init() {
        failures = []
        lockedUntil = nil
    }

    /// Whether a code may be checked at `now`: nil if so, else the seconds
    /// to wait (whole, at least 1) for `TooManyAttempts(retry_after)`.
    public func check(now: Instant) -> Int? {
        guard let lockedUntil, now < lockedUntil else { return nil }
        return max(1, Int(lockedUntil.seconds(since: now).rounded(.up)))
    }

    /// The error to answer at `now`, or nil when codes may be checked.
    public func error(now: Instant) -> RiegelError? {
        check(now: now).map { .tooManyAttempts(retryAfterSeconds: $0) }
    }

    /// Records a wrong code at `now`; returns the end of the lock it
    /// engaged (audit it), or nil. The lock ends at the later of `now +
    /// lockDuration` and the time the oldest counted wrong code leaves the window.
    @discardableResult
    public mutating func recordFailure(now: Instant, policy: SecondFactorBudgetPolicy = .default) -> Instant? {
        let insertAt = failures.lastIndex(where: { $0 <= now }).map { $0 + 1 } ?? 0
        failures.insert(now, at: insertAt)
        failures.removeAll { now.seconds(since: $0) >= policy.window }
        let excess = failures.count - policy.threshold
        if excess > 0 { failures.removeFirst(excess) }
        guard check(now: now) == nil, failures.count >= policy.threshold else { return nil }
        // The failures stay: the lock lasts its duration and at least until the
        // oldest of them leaves the window, so no window ever holds more than
        // `threshold` wrong codes (clearing them here let a second batch in
        // when a 30-minute lock ended inside the hour: 20 per hour, not 10).
        let until = max(now.adding(seconds: policy.lockDuration), failures[0].adding(seconds: policy.window))
        lockedUntil = until
        return until
    }

    /// An admin unlock: forgets failures and lock.
    public mutating func unlock() {
        self = SecondFactorBudget()
    }

    /// Whether the state carries nothing that matters at `now`.
    public func isDiscardable(now: Instant, policy: SecondFactorBudgetPolicy = .default) -> Bool {
        check(now: now) == nil && !failures.contains { now.seconds(since: $0) < policy.window }
    }
}
