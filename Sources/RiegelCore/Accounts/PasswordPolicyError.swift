/// Why a ``PasswordPolicy`` configuration was refused.
///
/// The daemon's config check reports ``message`` next to the offending key.
public enum PasswordPolicyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `minimum` is below ``PasswordPolicy/lowestMinimumLength``.
    case minimumLengthTooLow(minimum: Int)
    /// `maximum` is below ``PasswordPolicy/lowestMaximumLength`` (users must
    /// be able to use long passphrases and password managers).
    case maximumLengthTooLow(maximum: Int)
    /// `maximum` is above ``PasswordPolicy/highestMaximumLength``.
    case maximumLengthTooHigh(maximum: Int)
    /// `minimum` is greater than `maximum`.
    case minimumAboveMaximum(minimum: Int, maximum: Int)

    /// A message that says which limit was broken and how to fix it.
    public var message: String {
        switch self {
        case .minimumLengthTooLow(let minimum):
            "password minimum length \(minimum) is too low: use at least \(PasswordPolicy.lowestMinimumLength)"
        case .maximumLengthTooLow(let maximum):
            "password maximum length \(maximum) is too low: use at least \(PasswordPolicy.lowestMaximumLength)"
        case .maximumLengthTooHigh(let maximum):
            "password maximum length \(maximum) is too high: use at most \(PasswordPolicy.highestMaximumLength)"
        case .minimumAboveMaximum(let minimum, let maximum):
            "password minimum length \(minimum) is above the maximum length \(maximum)"
        }
    }

    /// The ``message``.
    public var description: String { message }
}
