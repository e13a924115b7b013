/// Security rule 4: failed logins back off per account and per client
/// address. Combines two ``ThrottleState``s under their own policies.
///
/// Use it in the login use case like this, with step 1 and each of step 3
/// one atomic read-modify-write of the stored states (`ThrottleStore.update`):
/// 1. `reserve(account:client:now:)`: if the decision is not `.allowed`,
///    answer `TooManyAttempts(retry_after)` or `AccountLocked(until)` without
///    checking the password and without recording anything; otherwise the
///    attempt is counted as a failure now, before the password is hashed, so
///    concurrent guesses are all counted (issue 11, item 2);
/// 2. verify the password (the dummy hash for unknown users, rule 1);
/// 3. wrong: nothing more to write, audit the reservation's events; right:
///    `recordSuccess(after:account:client:)`; no verdict: `refund`.
///
/// - Important: key the account state by ``Username/canonicalKey`` and keep
///   it for **unknown usernames too**: otherwise a lock or delay would tell
///   an attacker which accounts exist (rule 1).
/// - Important: a success resets the account's counter only; the client
///   address keeps its failures, so one valid account cannot launder a
///   password-spraying address.
public struct LoginThrottle: Sendable {
    /// What a failure engaged on each key.
    public struct Events: Sendable, Hashable {
        /// Events on the account key (delays and locks).
        public var account: [ThrottleEvent]
        /// Events on the client-address key (delays only).
        public var client: [ThrottleEvent]
    }

    /// The policy for account keys.
    public let accountPolicy: ThrottlePolicy
    /// The policy for client-address keys; never has a lockout.
    public let clientPolicy: ThrottlePolicy

    /// Seconds after a state's last save past which nothing in it can matter:
    /// the longest window, delay or lockout of either policy.
    public var horizon: Double {
        [accountPolicy, clientPolicy].map { p in
            max(p.delayWindow, p.maximumDelay, p.lockout?.window ?? 0, p.lockout?.duration ?? 0)
        }.max() ?? 0
    }

    /// Creates a throttle.
    /// - Throws: ``ThrottlePolicyError/lockoutNotAllowedForClientAddress`` if
    ///   `clientPolicy` has a lockout.
    public init(
        accountPolicy: ThrottlePolicy = .accountDefault,
        clientPolicy: ThrottlePolicy = .clientAddressDefault
    ) throws(ThrottlePolicyError) {
        guard clientPolicy.lockout == nil else { throw .lockoutNotAllowedForClientAddress }
        self.accountPolicy = accountPolicy
        self.clientPolicy = clientPolicy
    }

    /// The more restrictive decision of the two keys; `client` is nil when
    /// the caller sent no client information.
    public func check(account: ThrottleState, client: ThrottleState?, now: Instant) -> ThrottleDecision {
        let accountDecision = account.check(now: now)
        guard let client else { return accountDecision }
        return accountDecision.combined(with: client.check(now: now))
    }

    /// Records a failed login on both keys.
    @discardableResult
    public func recordFailure(
        account: inout ThrottleState, client: inout ThrottleState?, now: Instant
    ) -> Events {
        let accountEvents = account.recordFailure(now: now, policy: accountPolicy)
        let clientEvents = client?.recordFailure(now: now, policy: clientPolicy) ?? []
        return Events(account: accountEvents, client: clientEvents)
    }

    /// Checks both keys and, if the attempt may proceed, counts it as a
    /// failure on both at once; the reservation says how to take it back.
    ///
    /// Returns the decision, and a reservation only when it is `.allowed`.
    /// Call it inside one atomic update of the stored states.
    public func reserve(account: inout ThrottleState, client: inout ThrottleState?,
                        now: Instant) -> (decision: ThrottleDecision, reservation: ThrottleReservation?) {
        let decision = check(account: account, client: client, now: now)
        guard decision == .allowed else { return (decision, nil) }
        let accountBefore = account.marks
        let clientBefore = client?.marks
        let events = recordFailure(account: &account, client: &client, now: now)
        return (decision, ThrottleReservation(at: now, events: events, accountBefore: accountBefore,
                                              accountAfter: account.marks, clientBefore: clientBefore,
                                              clientAfter: client?.marks))
    }

    /// Takes a reservation back on both keys (the attempt ended without a
    /// verdict, or a success that must not reset the account, such as a re-check
    /// of the password of a signed-in user).
    public func refund(_ reservation: ThrottleReservation, account: inout ThrottleState,
                       client: inout ThrottleState?) {
        account.refund(failureAt: reservation.at, before: reservation.accountBefore, after: reservation.accountAfter)
        if let before = reservation.clientBefore, let after = reservation.clientAfter {
            client?.refund(failureAt: reservation.at, before: before, after: after)
        }
    }

    /// A reserved attempt succeeded: the reservation is taken back, the
    /// account's failures and delay are forgotten (an active lock that this
    /// reservation did not engage stays), the client address keeps its other failures.
    public func recordSuccess(after reservation: ThrottleReservation, account: inout ThrottleState,
                              client: inout ThrottleState?) {
        refund(reservation, account: &account, client: &client)
        account.recordSuccess()
    }

    /// Records a successful login: resets the account, leaves the client
    /// address as it is.
    public func recordSuccess(account: inout ThrottleState) {
        account.recordSuccess()
    }
}
