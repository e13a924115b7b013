import RiegelCore

/// `[throttle]`: back-off and lockout for failed logins (security rule 4),
/// applied per account and per client. The defaults are
/// ``ThrottlePolicy/accountDefault``'s (one source).
public struct ThrottleConfig: Sendable, Equatable {
    private static let defaults = ThrottlePolicy.accountDefault
    private static let lockoutDefaults = ThrottlePolicy.accountDefault.lockout!

    /// Failures within `window` before delays start.
    public var failuresBeforeDelay = defaults.delayThreshold
    /// Window in which failures are counted for delays.
    public var window = ConfigDuration.seconds(defaults.delayWindow)
    /// First delay; it doubles with each further failure.
    public var initialDelay = ConfigDuration.seconds(defaults.initialDelay)
    /// Longest delay.
    public var maxDelay = ConfigDuration.seconds(defaults.maximumDelay)
    /// Failures within `lockout_window` that lock the account.
    public var lockoutFailures = lockoutDefaults.threshold
    /// Window in which failures are counted for lockout.
    public var lockoutWindow = ConfigDuration.seconds(lockoutDefaults.window)
    /// How long a lockout lasts (admins can unlock earlier).
    public var lockoutDuration = ConfigDuration.seconds(lockoutDefaults.duration)

    /// The defaults of security rule 4 (docs/security-rules.md).
    public init() {}

    /// The throttle these settings make: back-off and lockout per account,
    /// the same back-off without lockout per client address.
    /// - Throws: ``ThrottlePolicyError`` for values the policy refuses.
    public var loginThrottle: LoginThrottle {
        get throws(ThrottlePolicyError) {
            try LoginThrottle(
                accountPolicy: ThrottlePolicy(
                    delayThreshold: failuresBeforeDelay, delayWindow: window.seconds, initialDelay: initialDelay.seconds,
                    maximumDelay: maxDelay.seconds,
                    lockout: try .init(threshold: lockoutFailures, window: lockoutWindow.seconds,
                                       duration: lockoutDuration.seconds)),
                clientPolicy: ThrottlePolicy(
                    delayThreshold: failuresBeforeDelay, delayWindow: window.seconds, initialDelay: initialDelay.seconds,
                    maximumDelay: maxDelay.seconds, lockout: nil))
        }
    }

    static func read(_ s: inout ConfigSection) -> ThrottleConfig {
        var c = ThrottleConfig()
        c.failuresBeforeDelay = s.int("failures_before_delay", c.failuresBeforeDelay, in: 1...1_000_000)
        c.window = s.duration("window", c.window)
        c.initialDelay = s.duration("initial_delay", c.initialDelay)
        c.maxDelay = s.duration("max_delay", c.maxDelay)
        c.lockoutFailures = s.int("lockout_failures", c.lockoutFailures, in: 1...1_000_000)
        c.lockoutWindow = s.duration("lockout_window", c.lockoutWindow)
        c.lockoutDuration = s.duration("lockout_duration", c.lockoutDuration)
        if c.initialDelay > c.maxDelay {
            s.report("initial_delay", "\(c.initialDelay) is longer than max_delay (\(c.maxDelay)); make it shorter")
        }
        return c
    }
}
