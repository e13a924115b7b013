/// How strongly a session's user was authenticated.
public enum Assurance: String, Sendable, Hashable, Codable, CaseIterable {
    /// One factor: the password.
    case password
    /// Two factors: the password and an SMS or TOTP code, a recovery code, a
    /// trusted device or a device key.
    case secondFactor = "second_factor"
}

/// How a session was opened.
public enum AuthenticationMethod: String, Sendable, Hashable, Codable, CaseIterable {
    case password
    case sms
    case trustedDevice = "trusted_device"
    case deviceKey = "device_key"
    /// A code from an authenticator app (TOTP).
    case totp
    /// A single-use recovery code.
    case recoveryCode = "recovery_code"
}
