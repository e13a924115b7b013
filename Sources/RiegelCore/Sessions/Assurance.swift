/// How strongly a session's user was authenticated.
public enum Assurance: String, Sendable, Hashable, Codable, CaseIterable {
    /// One factor: the password.
    case password
    /// Two factors: the password and an SMS code, a trusted device or a device key.
    case secondFactor = "second_factor"
}

/// How a session was opened.
public enum AuthenticationMethod: String, Sendable, Hashable, Codable, CaseIterable {
    case password
    case sms
    case trustedDevice = "trusted_device"
    case deviceKey = "device_key"
}
