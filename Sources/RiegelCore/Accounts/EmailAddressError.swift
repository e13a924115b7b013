/// Why a string is not a valid ``EmailAddress``.
///
/// ``message`` never repeats the input; a rejected character appears only as
/// its code point.
public enum EmailAddressError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Nothing but whitespace.
    case empty
    /// More than ``EmailAddress/maximumLength`` UTF-8 bytes.
    case tooLong
    /// No `@`.
    case missingAt
    /// More than one `@`.
    case multipleAt
    /// Nothing before the `@`.
    case emptyLocalPart
    /// The domain has no dot, or an empty label.
    case invalidDomain
    /// Whitespace, a control or format character, or an unassigned scalar.
    case invalidCharacter(Unicode.Scalar)

    /// A stable machine-readable name, e.g. `missing_at`.
    public var code: String {
        switch self {
        case .empty: "empty"
        case .tooLong: "too_long"
        case .missingAt: "missing_at"
        case .multipleAt: "multiple_at"
        case .emptyLocalPart: "empty_local_part"
        case .invalidDomain: "invalid_domain"
        case .invalidCharacter: "invalid_character"
        }
    }

    /// A human-readable message that says how to fix the address.
    public var message: String {
        switch self {
        case .empty: "e-mail address is empty"
        case .tooLong: "e-mail address is too long: at most \(EmailAddress.maximumLength) bytes"
        case .missingAt: "e-mail address needs an @ between name and domain"
        case .multipleAt: "e-mail address may contain only one @"
        case .emptyLocalPart: "e-mail address needs a name before the @"
        case .invalidDomain: "e-mail domain must look like example.de (a dot, no empty parts)"
        case .invalidCharacter(let scalar):
            "e-mail address contains a character that is not allowed (\(UsernameError.codePoint(scalar)))"
        }
    }

    /// The ``message``.
    public var description: String { message }
}
