/// The persisted throttle state of one key (an account or a client address):
/// a value-type state machine driven by injected time.
///
/// States (see `docs/flows/login-throttle.md`):
/// - **open**: ``check(now:)`` is `.allowed`;
/// - **delayed**: a failure reached the delay threshold; `.delayed` until
///   ``nextAllowedAt``, then open again;
/// - **locked**: a failure reached the lockout threshold; `.locked` until
///   ``lockedUntil`` (or an admin ``unlock()``), then open again.
///
/// The caller reserves an attempt before verifying a password (the check
/// and a provisional failure in one atomic step, see ``ThrottleReservation``)
/// and refunds it on success; attempts refused by ``check(now:)`` are not
/// recorded.
///
/// - Important: never reads the clock; every time comes in as `now`. The
///   state is bounded (at most ``ThrottlePolicy``'s retained failures), so a
///   flood of failures on one key cannot grow it.
/// - Important: a lock ends only by time or by ``unlock()``; a success does
///   not lift it.
public struct ThrottleState: Sendable, Hashable, Codable {
    /// Times of recent failures, oldest first; pruned on every failure.
    public private(set) var failures: [Instant]
    /// While in the future, attempts are delayed until this time.
    public private(set) var nextAllowedAt: Instant?
    /// While in the future, the key is locked until this time.
    public private(set) var lockedUntil: Instant?

    /// A fresh state: no failures, open.
    public init() {
        failures = []
        nextAllowedAt = nil
        lockedUntil = nil
    }

    /// Whether an attempt at `now` may proceed, and if not, for how long.
    public func check(now: Instant) -> ThrottleDecision {
        if let lockedUntil, now < lockedUntil {
            return .locked(until: lockedUntil)
        }
        if let nextAllowedAt, now < nextAllowedAt {
            let seconds = nextAllowedAt.seconds(since: now).rounded(.up)
            return .delayed(retryAfter: max(1, Int(seconds)))
        }
        return .allowed
    }

    /// Whether the key is locked at `now`.
    public func isLocked(now: Instant) -> Bool {
        if let lockedUntil { return now < lockedUntil }
        return false
    }

    /// Records a failed attempt at `now` and returns what it engaged.
    ///
    /// Counts the failures within each window (this one included); at the
    /// lockout threshold the key locks for the lockout duration (one
    /// `.locked` event; a failure recorded while already locked extends
    /// nothing); otherwise at the delay threshold attempts are delayed by
    /// ``ThrottlePolicy/delay(afterFailuresInWindow:)`` from `now`.
    @discardableResult
    public mutating func recordFailure(now: Instant, policy: ThrottlePolicy) -> [ThrottleEvent] {
        let insertAt = failures.lastIndex(where: { $0 <= now }).map { $0 + 1 } ?? 0
        failures.insert(now, at: insertAt)
        prune(now: now, policy: policy)

        var events: [ThrottleEvent] = []
        if let lockout = policy.lockout, !isLocked(now: now),
           count(within: lockout.window, of: now) >= lockout.threshold {
            let until = now.adding(seconds: lockout.duration)
            lockedUntil = until
            events.append(.locked(until: until))
        }
        if let delay = policy.delay(afterFailuresInWindow: count(within: policy.delayWindow, of: now)) {
            let until = now.adding(seconds: delay)
            if nextAllowedAt.map({ $0 < until }) ?? true {
                nextAllowedAt = until
            }
            if !isLocked(now: now) {
                events.append(.delayEngaged(retryAfter: Int(delay.rounded(.up)), until: until))
            }
        }
        return events
    }

    /// Records a successful login: forgets failures and any delay.
    ///
    /// An active lock stays (a success cannot happen through a lock unless
    /// requests raced; failing closed is the safe answer).
    public mutating func recordSuccess() {
        failures = []
        nextAllowedAt = nil
    }

    /// The delay and lock ends now (what a ``ThrottleReservation`` remembers).
    var marks: ThrottleReservation.Marks {
        ThrottleReservation.Marks(nextAllowedAt: nextAllowedAt, lockedUntil: lockedUntil)
    }

    /// Takes back a failure a reservation counted at `at`: removes one
    /// failure of that time and puts the delay and lock ends back to
    /// `before` where they still are what the reservation made them
    /// (`after`); a later failure that moved them keeps its effect.
    mutating func refund(failureAt at: Instant, before: ThrottleReservation.Marks, after: ThrottleReservation.Marks) {
        if let index = failures.lastIndex(of: at) { failures.remove(at: index) }
        if nextAllowedAt == after.nextAllowedAt, after.nextAllowedAt != before.nextAllowedAt {
            nextAllowedAt = before.nextAllowedAt
        }
        if lockedUntil == after.lockedUntil, after.lockedUntil != before.lockedUntil {
            lockedUntil = before.lockedUntil
        }
    }

    /// An admin unlock: forgets failures, delay and lock.
    public mutating func unlock() {
        self = ThrottleState()
    }

    /// Whether the state carries nothing that matters at `now` and may be
    /// deleted from the store (it equals a fresh state in effect).
    public func isDiscardable(now: Instant, policy: ThrottlePolicy) -> Bool {
        check(now: now) == .allowed
            && !failures.contains { now.seconds(since: $0) < policy.retentionWindow }
    }

    /// Decodes a stored state; failures are sorted again, whatever the store held.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        failures = try container.decode([Instant].self, forKey: .failures).sorted()
        nextAllowedAt = try container.decodeIfPresent(Instant.self, forKey: .nextAllowedAt)
        lockedUntil = try container.decodeIfPresent(Instant.self, forKey: .lockedUntil)
    }

    private func count(within window: Double, of now: Instant) -> Int {
        failures.reduce(0) { $0 + (now.seconds(since: $1) < window ? 1 : 0) }
    }

    /// Drops failures older than every window, then all but the newest
    /// ones the policy needs.
    private mutating func prune(now: Instant, policy: ThrottlePolicy) {
        failures.removeAll { now.seconds(since: $0) >= policy.retentionWindow }
        let excess = failures.count - policy.retainedFailures
        if excess > 0 { failures.removeFirst(excess) }
    }
}
