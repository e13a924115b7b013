/// Which share of the SMS send caps a send draws on (issue 11, item 5).
///
/// Codes to a number that is not yet an account's second factor (`Register`
/// with a phone, `EnrollPhone`) come out of the ``enrolment`` budget; codes
/// to an enrolled number (login, step-up, password reset) out of the
/// ``login`` budget. The two have their own per-phone, per-country and
/// global windows, so unauthenticated sign-ups cannot use up what logins
/// need; the per-user window is shared (only the account's owner can start
/// either kind for an existing account).
///
/// - Important: raw values appear in the audit trail (`sms.capped`,
///   `details.budget`); never rename a case.
public enum SMSSendBudget: String, Sendable, Hashable, Codable, CaseIterable {
    /// Login, step-up and password-reset codes to an enrolled number.
    case login
    /// Codes proving a new number (sign-up with a phone, phone change).
    case enrolment

    /// The budget a challenge of `purpose` draws on.
    public init(_ purpose: ChallengePurpose) {
        switch purpose {
        case .enrollPhone: self = .enrolment
        case .login, .stepUp, .passwordReset: self = .login
        }
    }

    /// The caps that apply to a send from this budget; ``SMSCapKind/client``
    /// only when the send names a client (`Register` with a phone).
    public func capKinds(withClient: Bool) -> [SMSCapKind] {
        switch self {
        case .login: [.phone, .user, .country, .global]
        case .enrolment: withClient ? [.phone, .user, .country, .global, .client] : [.phone, .user, .country, .global]
        }
    }
}
