import RiegelCore

/// The SMS settings in force: codes, budgets, caps, countries, texts and
/// how long a caller waits for a gateway.
public struct SMSPolicy: Sendable {
    /// Code length, lifetime, attempts, resend cooldown and count.
    public var challenge: SMSChallengePolicy
    /// Wrong codes per account across challenges.
    public var budget: SecondFactorBudgetPolicy
    /// Sends per phone, user, country and overall, per budget (login, enrolment), and sign-ups per client.
    public var caps: SMSSendCaps
    /// Country codes SMS may go to.
    public var allowlist: CountryAllowlist
    /// Completes national numbers (`"49"`); nil: only international input.
    public var defaultCountryCode: String?
    /// The message texts.
    public var templates: SMSTemplateSet
    /// Seconds a call waits for a gateway to take its first message
    /// (retrying with backoff); after that the challenge is undone and the
    /// answer is `SmsUnavailable`.
    public var sendDeadline: Double
    /// The first retry delay in seconds; it doubles per attempt up to ``maxRetryDelay``.
    public var retryDelay: Double
    /// The longest retry delay in seconds.
    public var maxRetryDelay: Double
    /// How long message rows (without payload) stay for `riegelctl sms stats`, in seconds.
    public var statsRetention: Double

    /// How long a call waits for a gateway by default (seconds): `[sms] send_deadline`.
    public static let defaultSendDeadline: Double = 15

    /// A policy; the defaults follow security rule 3.
    public init(challenge: SMSChallengePolicy = .default, budget: SecondFactorBudgetPolicy = .default,
                caps: SMSSendCaps = .default, allowlist: CountryAllowlist = .euEEAAndSwitzerland,
                defaultCountryCode: String? = nil, templates: SMSTemplateSet, sendDeadline: Double = defaultSendDeadline,
                retryDelay: Double = 1, maxRetryDelay: Double = 30, statsRetention: Double = 2 * 86400) {
        self.challenge = challenge
        self.budget = budget
        self.caps = caps
        self.allowlist = allowlist
        self.defaultCountryCode = defaultCountryCode
        self.templates = templates
        self.sendDeadline = sendDeadline
        self.retryDelay = retryDelay
        self.maxRetryDelay = maxRetryDelay
        self.statsRetention = statsRetention
    }

    /// The delay before attempt `attempts + 1` after `attempts` failed ones.
    public func retryDelay(afterAttempts attempts: Int) -> Double {
        min(maxRetryDelay, retryDelay * Double(1 << min(max(attempts - 1, 0), 20)))
    }
}
