/// How failed logins on one key (an account, or a client address) are slowed
/// down and, for accounts, locked out.
///
/// Defaults (security rule 4): the 5th failure within 15 minutes
/// engages a delay of 1 s, each further failure in that window doubles it,
/// up to 15 minutes; the 20th failure within one hour locks the account for
/// 30 minutes. Client addresses get the same delays and no lockout.
///
/// Windows slide: a failure counts while it is younger than the window
/// (`now - failure < window`), and is forgotten after that.
///
/// - Important: every value is validated at construction; a policy that
///   would never throttle (threshold 0, zero windows, a maximum below the
///   initial delay) or would never end (infinite or NaN durations) cannot
///   be built.
public struct ThrottlePolicy: Sendable, Hashable {
    /// When an account is locked after many failures, and for how long.
    public struct Lockout: Sendable, Hashable {
        /// Failures within ``window`` that lock the key (default 20).
        public let threshold: Int
        /// The sliding window for ``threshold``, in seconds (default 3600).
        public let window: Double
        /// How long a lock lasts, in seconds (default 1800).
        public let duration: Double

        /// Creates a lockout rule.
        /// - Throws: ``ThrottlePolicyError`` for a non-positive value.
        public init(threshold: Int = 20, window: Double = 3600, duration: Double = 1800)
            throws(ThrottlePolicyError) {
            guard threshold > 0 else { throw .nonPositive(setting: "lockout threshold") }
            guard window.isFinite, duration.isFinite else { throw .notFinite(setting: "lockout") }
            guard window > 0 else { throw .nonPositive(setting: "lockout window") }
            guard duration > 0 else { throw .nonPositive(setting: "lockout duration") }
            self.threshold = threshold
            self.window = window
            self.duration = duration
        }
    }

    /// Failures within ``delayWindow`` that engage a delay (default 5).
    public let delayThreshold: Int
    /// The sliding window for ``delayThreshold``, in seconds (default 900).
    public let delayWindow: Double
    /// The delay after the ``delayThreshold``-th failure, in seconds (default 1).
    public let initialDelay: Double
    /// The longest delay, in seconds (default 900).
    public let maximumDelay: Double
    /// The lockout rule, or nil for keys that are only delayed.
    public let lockout: Lockout?

    /// Creates a policy.
    /// - Throws: ``ThrottlePolicyError`` for a non-positive value or a
    ///   maximum delay below the initial delay.
    public init(
        delayThreshold: Int = 5,
        delayWindow: Double = 900,
        initialDelay: Double = 1,
        maximumDelay: Double = 900,
        lockout: Lockout?
    ) throws(ThrottlePolicyError) {
        guard delayThreshold > 0 else { throw .nonPositive(setting: "delay threshold") }
        guard delayWindow.isFinite, initialDelay.isFinite, maximumDelay.isFinite else {
            throw .notFinite(setting: "delay")
        }
        guard delayWindow > 0 else { throw .nonPositive(setting: "delay window") }
        guard initialDelay > 0 else { throw .nonPositive(setting: "initial delay") }
        guard maximumDelay >= initialDelay else {
            throw .maximumDelayBelowInitial(initial: initialDelay, maximum: maximumDelay)
        }
        self.delayThreshold = delayThreshold
        self.delayWindow = delayWindow
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.lockout = lockout
    }

    /// The default for accounts: delays from 5 failures in 15 min, lockout
    /// for 30 min at 20 failures in an hour.
    public static let accountDefault: ThrottlePolicy = {
        do { return try ThrottlePolicy(lockout: Lockout()) } catch { preconditionFailure("\(error)") }
    }()

    /// The default for client addresses: the same delays, no lockout (one
    /// address may be a whole office behind NAT; a lock would be a denial of
    /// service for all of them).
    public static let clientAddressDefault: ThrottlePolicy = {
        do { return try ThrottlePolicy(lockout: nil) } catch { preconditionFailure("\(error)") }
    }()

    /// The delay after a failure that makes `failuresInWindow` failures
    /// within ``delayWindow``, or nil below the threshold.
    ///
    /// `initialDelay × 2^(failuresInWindow − delayThreshold)`, capped at
    /// ``maximumDelay``.
    public func delay(afterFailuresInWindow failuresInWindow: Int) -> Double? {
        guard failuresInWindow >= delayThreshold else { return nil }
        var delay = initialDelay
        var doublings = failuresInWindow - delayThreshold
        while doublings > 0, delay < maximumDelay {
            delay *= 2
            doublings -= 1
        }
        return min(delay, maximumDelay)
    }

    /// The longest window any rule looks back over, in seconds.
    var retentionWindow: Double {
        max(delayWindow, lockout?.window ?? 0)
    }

    /// How many of the newest failures must be kept to decide every rule:
    /// enough to reach the lockout threshold and the maximum delay.
    var retainedFailures: Int {
        var steps = 0
        var delay = initialDelay
        while delay < maximumDelay {
            delay *= 2
            steps += 1
        }
        return max(lockout?.threshold ?? 0, delayThreshold + steps)
    }
}
