/// Why ``AccessDecision`` kept a session out, and what the caller is told.
public enum AccessDenial: Sendable, Hashable {
    /// No class of this name: `UnknownResourceClass(name)`.
    case unknownResourceClass(String)
    /// The class needs a second factor and the account has none enrolled
    /// (the portal shows the activation link): `SecondFactorNotEnrolled`.
    case secondFactorNotEnrolled
    /// The second factor was not proven in this session: `StepUpRequired`.
    case noSecondFactorInSession
    /// The last proof is `secondFactorMaxAge` old or older: `StepUpRequired`.
    case secondFactorTooOld
    /// The last proof lies in the future (the wall clock was set back):
    /// `StepUpRequired`, so a clock step can never stretch an elevation.
    case secondFactorInFuture

    /// The audit event's `reason`.
    ///
    /// - Important: stored in the audit trail; never change a value.
    public var reason: String {
        switch self {
        case .unknownResourceClass: "unknown_resource_class"
        case .secondFactorNotEnrolled: "second_factor_not_enrolled"
        case .noSecondFactorInSession: "no_second_factor_in_session"
        case .secondFactorTooOld: "second_factor_too_old"
        case .secondFactorInFuture: "second_factor_in_future"
        }
    }

    /// The error the caller gets.
    public var error: RiegelError {
        switch self {
        case .unknownResourceClass(let name): .unknownResourceClass(name)
        case .secondFactorNotEnrolled: .secondFactorNotEnrolled
        case .noSecondFactorInSession, .secondFactorTooOld, .secondFactorInFuture: .stepUpRequired
        }
    }
}
