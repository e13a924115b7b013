/// Why a ``ThrottlePolicy`` or ``LoginThrottle`` configuration was refused.
public enum ThrottlePolicyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The named setting must be greater than zero.
    case nonPositive(setting: String)
    /// A duration of the named setting is infinite or not a number.
    case notFinite(setting: String)
    /// The maximum delay is below the initial delay.
    case maximumDelayBelowInitial(initial: Double, maximum: Double)
    /// Client addresses are only delayed, never locked: one address may be
    /// many users, and a lock would let anyone lock them all out.
    case lockoutNotAllowedForClientAddress

    /// A message that says which setting is wrong and how to fix it.
    public var message: String {
        switch self {
        case .nonPositive(let setting):
            "throttle \(setting) must be greater than zero"
        case .notFinite(let setting):
            "throttle \(setting) durations must be finite numbers of seconds"
        case .maximumDelayBelowInitial(let initial, let maximum):
            "throttle maximum delay \(maximum)s is below the initial delay \(initial)s"
        case .lockoutNotAllowedForClientAddress:
            "client-address throttling cannot lock out: remove its lockout settings"
        }
    }

    /// The ``message``.
    public var description: String { message }
}
