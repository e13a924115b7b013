/// Why ``AccessDecision`` let a session in; the raw value is the audit
/// event's `reason`.
///
/// - Important: raw values are stored in the audit trail; never rename a case.
public enum AccessGrant: String, Sendable, Hashable, CaseIterable {
    /// The class needs no second factor: a valid session suffices.
    case passwordSuffices = "password_suffices"
    /// The class needs a second factor and this session proved it recently enough.
    case secondFactorProven = "second_factor_proven"
}
