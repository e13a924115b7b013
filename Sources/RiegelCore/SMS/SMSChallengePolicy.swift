/// The limits of one SMS challenge (security rule 3).
///
/// Defaults: 6 digits, valid 5 minutes (from each send), 5 wrong attempts
/// per challenge, resend cooldown 30 s, at most 3 resends.
///
/// A challenge copies the values it needs when it starts, so a config
/// reload never changes the rules of a challenge already under way.
public struct SMSChallengePolicy: Sendable, Hashable {
    /// Digits per code (4...10, default 6).
    public let codeLength: Int
    /// How long a sent code is valid, in seconds (default 300).
    public let lifetime: Double
    /// Wrong codes a challenge takes before it fails (default 5).
    public let maxAttempts: Int
    /// Seconds after a send before a resend is allowed (default 30).
    public let resendCooldown: Double
    /// Resends per challenge (default 3; 0 disables resending).
    public let maxResends: Int

    /// Creates a policy.
    /// - Throws: ``SMSConfigError`` for a non-positive or out-of-range value.
    public init(
        codeLength: Int = OneTimeCode.defaultLength, lifetime: Double = 300, maxAttempts: Int = 5,
        resendCooldown: Double = 30, maxResends: Int = 3
    ) throws(SMSConfigError) {
        guard OneTimeCode.allowedLengths.contains(codeLength) else {
            throw .outOfRange(setting: "code length", allowed: "4...10")
        }
        guard lifetime.isFinite, lifetime > 0 else { throw .notPositive(setting: "code lifetime") }
        guard maxAttempts > 0 else { throw .notPositive(setting: "attempts per challenge") }
        guard resendCooldown.isFinite, resendCooldown > 0 else { throw .notPositive(setting: "resend cooldown") }
        guard (0...100).contains(maxResends) else { throw .outOfRange(setting: "max resends", allowed: "0...100") }
        self.codeLength = codeLength
        self.lifetime = lifetime
        self.maxAttempts = maxAttempts
        self.resendCooldown = resendCooldown
        self.maxResends = maxResends
    }

    /// The defaults.
    public static let `default`: SMSChallengePolicy = {
        do { return try SMSChallengePolicy() } catch { preconditionFailure("\(error)") }
    }()

    /// The lifetime in whole minutes for message text (rounded up, at least 1).
    public var lifetimeMinutes: Int { max(1, Int((lifetime / 60).rounded(.up))) }
}
