/// An attempt counted as a failure **before** its outcome is known (issue 11,
/// item 2): ``LoginThrottle/reserve(account:client:now:)`` checks a key and,
/// if allowed, records the failure in the same step, so guesses that are in
/// flight at once are all counted and the check after the limit refuses
/// before any password is hashed.
///
/// If the attempt then fails, nothing more is written (audit ``events``).
/// If it succeeds, or ends without a verdict (an overloaded hashing pool),
/// ``LoginThrottle/refund(_:account:client:)`` takes the failure back and
/// restores any delay or lock it engaged, unless a later failure moved them.
public struct ThrottleReservation: Sendable, Hashable {
    /// A key's delay and lock ends, before or after the reservation.
    public struct Marks: Sendable, Hashable {
        public var nextAllowedAt: Instant?
        public var lockedUntil: Instant?
    }

    /// When the attempt was counted (the failure's time in the states).
    public let at: Instant
    /// What counting it engaged on each key: audit these only if the attempt fails.
    public let events: LoginThrottle.Events
    let accountBefore: Marks
    let accountAfter: Marks
    let clientBefore: Marks?
    let clientAfter: Marks?

    init(at: Instant, events: LoginThrottle.Events, accountBefore: Marks, accountAfter: Marks,
         clientBefore: Marks?, clientAfter: Marks?) {
        self.at = at
        self.events = events
        self.accountBefore = accountBefore
        self.accountAfter = accountAfter
        self.clientBefore = clientBefore
        self.clientAfter = clientAfter
    }
}
