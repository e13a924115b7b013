/// What ``AccessDecision`` needs to know about a session.
public struct AccessSession: Sendable, Hashable {
    /// The session's assurance now (`password` after a demotion).
    public var assurance: Assurance
    /// How the session was opened.
    public var method: AuthenticationMethod
    /// When the user logged in (proved the first factor) for this session.
    public var authenticatedAt: Instant
    /// When the second factor was last proven in this session, if ever.
    public var secondFactorAt: Instant?

    /// A session's facts.
    public init(assurance: Assurance, method: AuthenticationMethod, authenticatedAt: Instant, secondFactorAt: Instant?) {
        self.assurance = assurance
        self.method = method
        self.authenticatedAt = authenticatedAt
        self.secondFactorAt = secondFactorAt
    }

    /// When the second factor was last proven, as far as access is concerned;
    /// nil: not in this session.
    ///
    /// Only a session at assurance `second_factor` has a proof. Its time is
    /// `second_factor_at`; a session opened by a second factor itself (SMS
    /// login, trusted device, device key) that lacks it counts as proven at
    /// its login time. A password session claiming `second_factor` without a
    /// time has no proof (fail closed).
    public var secondFactorProvenAt: Instant? {
        guard assurance == .secondFactor else { return nil }
        if let secondFactorAt { return secondFactorAt }
        switch method {
        case .sms, .trustedDevice, .deviceKey, .totp, .recoveryCode: return authenticatedAt
        case .password: return nil
        }
    }
}
