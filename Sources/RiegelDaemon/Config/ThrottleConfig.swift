/// `[throttle]`: back-off and lockout for failed logins (security rule 4),
/// applied per account and per client.
public struct ThrottleConfig: Sendable, Equatable {
    /// Failures within `window` before delays start.
    public var failuresBeforeDelay = 5
    /// Window in which failures are counted for delays.
    public var window = ConfigDuration.minutes(15)
    /// First delay; it doubles with each further failure.
    public var initialDelay = ConfigDuration.seconds(1)
    /// Longest delay.
    public var maxDelay = ConfigDuration.minutes(15)
    /// Failures within `lockout_window` that lock the account.
    public var lockoutFailures = 20
    /// Window in which failures are counted for lockout.
    public var lockoutWindow = ConfigDuration.hours(1)
    /// How long a lockout lasts (admins can unlock earlier).
    public var lockoutDuration = ConfigDuration.minutes(30)

    /// The defaults of security rule 4 (docs/security-rules.md).
    public init() {}

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
