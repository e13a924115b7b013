import RiegelCore

/// The rules the account use cases apply, from the config.
public struct AccountPolicy: Sendable {
    /// What a password must be (`[password]` in config/riegel.toml).
    public var passwords: PasswordPolicy
    /// Backoff and lockout of failed logins (security rule 4).
    public var throttle: LoginThrottle
    /// How long a password-reset token stays valid (seconds).
    public var resetTokenLifetime: Double
    /// How long an activation code stays valid (seconds).
    public var activationCodeLifetime: Double
    /// BeginPasswordReset answers no sooner than this (seconds), known user or
    /// not, so its timing does not tell whether the account exists.
    public var resetMinimumResponse: Double

    /// The defaults: standard password policy and throttle, 30 min reset
    /// tokens, 90 day activation codes, 50 ms reset response floor.
    public init(passwords: PasswordPolicy = .standard, throttle: LoginThrottle? = nil,
                resetTokenLifetime: Double = 1800, activationCodeLifetime: Double = 90 * 86_400,
                resetMinimumResponse: Double = 0.05) {
        self.passwords = passwords
        self.throttle = throttle ?? (try! LoginThrottle())
        self.resetTokenLifetime = resetTokenLifetime
        self.activationCodeLifetime = activationCodeLifetime
        self.resetMinimumResponse = resetMinimumResponse
    }
}
