/// How many wrong SMS codes an account may enter across all its challenges
/// before the second factor locks (issue 5).
///
/// Default: the 10th wrong code within three hours locks the second factor
/// for 30 minutes, and at least until the first of those ten is three hours
/// old: never more than 10 wrong codes in any 3 hours, 80 a day, so a 6-digit
/// code is guessed with a chance of 8 in 100 000 per account per day, under
/// the 1 in 10 000 of docs/threat-model.md ("Brute-force bound",
/// test_brute_force_bound.py). The window slides (a failure counts while
/// `now - failure < window`).
public struct SecondFactorBudgetPolicy: Sendable, Hashable {
    /// Wrong codes within ``window`` that lock (default 10).
    public let threshold: Int
    /// The sliding window in seconds (default 10 800).
    public let window: Double
    /// How long the lock lasts in seconds (default 1800).
    public let lockDuration: Double

    /// Creates a policy.
    /// - Throws: ``SMSConfigError/notPositive(setting:)``.
    public init(threshold: Int = 10, window: Double = 10_800, lockDuration: Double = 1800) throws(SMSConfigError) {
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
