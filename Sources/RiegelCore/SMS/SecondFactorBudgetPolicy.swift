/// How many wrong SMS codes an account may enter across all its challenges
/// before the second factor locks (issue 5).
///
/// Default: the 10th wrong code within one hour locks the second factor
/// for 30 minutes, and at least until the first of those ten is an hour old:
/// never more than 10 wrong codes in any hour. The window slides (a failure
/// counts while `now - failure < window`).
public struct SecondFactorBudgetPolicy: Sendable, Hashable {
    /// Wrong codes within ``window`` that lock (default 10).
    public let threshold: Int
    /// The sliding window in seconds (default 3600).
    public let window: Double
    /// How long the lock lasts in seconds (default 1800).
    public let lockDuration: Double

    /// Creates a policy.
    /// - Throws: ``SMSConfigError/notPositive(setting:)``.
    public init(threshold: Int = 10, window: Double = 3600, lockDuration: Double = 1800) throws(SMSConfigError) {
        guard threshold > 0 else { throw .notPositive(setting: "second-factor failure threshold") }
        guard window.isFinite, window > 0 else { throw .notPositive(setting: "second-factor failure window") }
        guard lockDuration.isFinite, lockDuration > 0 else {
            throw .notPositive(setting: "second-factor lock duration")
        }
        self.threshold = threshold
        self.window = window
        self.lockDuration = lockDuration
    }

    /// The defaults.
    public static let `default`: SecondFactorBudgetPolicy = {
        do { return try SecondFactorBudgetPolicy() } catch { preconditionFailure("\(error)") }
    }()
}
