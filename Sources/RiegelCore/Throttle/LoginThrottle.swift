/// Security rule 4: failed logins back off per account and per client
/// address. Combines two ``ThrottleState``s under their own policies.
///
/// Use it in the login use case like this:
/// 1. `check(account:client:now:)`; if not `.allowed`, answer
///    `TooManyAttempts(retry_after)` or `AccountLocked(until)` without
///    checking the password and without recording anything;
/// 2. verify the password (the dummy hash for unknown users, rule 1);
/// 3. `recordFailure` or `recordSuccess`, persist both states, audit events.
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

    /// Records a successful login: resets the account, leaves the client
    /// address as it is.
    public func recordSuccess(account: inout ThrottleState) {
        account.recordSuccess()
    }
}
