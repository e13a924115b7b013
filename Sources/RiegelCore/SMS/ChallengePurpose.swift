/// What an SMS challenge proves once verified (the IDL's `Challenge.purpose`).
///
/// - Important: raw values are stored and sent over varlink; never rename a case.
public enum ChallengePurpose: String, Sendable, Hashable, Codable, CaseIterable {
    /// The second step of a login with the second factor on.
    case login
    /// Raising an existing session to `second_factor`.
    case stepUp = "step_up"
    /// Proving a new phone number before the second factor turns on.
    case enrollPhone = "enroll_phone"
    /// Confirming a password reset.
    case passwordReset = "password_reset"

    /// Whether the challenge belongs to an existing session (step-up, enrolment).
    public var needsSession: Bool { self == .stepUp || self == .enrollPhone }
}
