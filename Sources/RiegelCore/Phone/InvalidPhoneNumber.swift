/// Why a phone number was refused (maps to `io.riegel.Auth.InvalidPhoneNumber`).
///
/// - Important: security rule 9: no case carries the number or any part of
///   it, so a reason may be logged and audited as it is.
public enum InvalidPhoneNumber: Error, Sendable, Hashable, CustomStringConvertible {
    /// Nothing but separators, or nothing at all.
    case empty
    /// A letter or another character that is not a digit, `+`, space, `-`,
    /// `.`, `/` or parentheses (also non-ASCII digits), or a misplaced `+`.
    case invalidCharacter
    /// A national number with no default country code to complete it.
    case missingCountryCode
    /// A country code missing from our table of country plans.
    case unknownCountryCode
    /// A country code that is known but not on the allowlist.
    case countryNotAllowed(countryCode: String)
    /// A short code (six digits or fewer, written without a country code).
    case shortCode
    /// Fewer digits than the country's plan allows.
    case tooShort
    /// More digits than the country's plan (or E.164's 15) allows.
    case tooLong
    /// A national number that does not fit the country's structure
    /// (e.g. a NANP area code starting with 0 or 1, or a trunk prefix after
    /// the country code).
    case malformed
    /// A premium-rate, shared-cost, freephone or other special-service range.
    case specialRange
    /// Not a mobile number, where the caller asked for mobiles only.
    case notMobile

    /// A message that says what is wrong and how to fix it.
    public var description: String {
        switch self {
        case .empty: "the phone number is empty"
        case .invalidCharacter: "the phone number may only contain digits, a leading +, spaces, - . / ( )"
        case .missingCountryCode: "the phone number needs a country code (+49 ...)"
        case .unknownCountryCode: "numbers with this country code are not supported"
        case .countryNotAllowed(let code): "numbers with country code +\(code) are not allowed"
        case .shortCode: "short codes cannot receive verification codes"
        case .tooShort: "the phone number is too short for its country"
        case .tooLong: "the phone number is too long for its country"
        case .malformed: "the phone number does not fit its country's numbering plan"
        case .specialRange: "premium-rate and special-service numbers are not accepted"
        case .notMobile: "the phone number is not a mobile number"
        }
    }
}
