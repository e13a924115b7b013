/// Why a string is not a valid ``Username``.
///
/// ``message`` is meant for the `InvalidUsername(reason)` varlink error: it
/// names the rule and how to fix it, and shows a rejected character only as
/// its code point (`U+0020`), so no control character reaches a log or reply.
public enum UsernameError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Fewer than ``Username/minimumLength`` Unicode scalars after NFC.
    case tooShort
    /// More than ``Username/maximumLength`` Unicode scalars after NFC.
    case tooLong
    /// A scalar outside letters, ASCII digits and `._-@` (or a combining mark
    /// that does not follow a letter).
    case invalidCharacter(Unicode.Scalar)

    /// A stable machine-readable name: `too_short`, `too_long`, `invalid_character`.
    public var code: String {
        switch self {
        case .tooShort: "too_short"
        case .tooLong: "too_long"
        case .invalidCharacter: "invalid_character"
        }
    }

    /// A human-readable message that says how to fix the username.
    public var message: String {
        switch self {
        case .tooShort:
            "username is too short: use at least \(Username.minimumLength) characters"
        case .tooLong:
            "username is too long: use at most \(Username.maximumLength) characters"
        case .invalidCharacter(let scalar):
            "username contains a character that is not allowed (\(UsernameError.codePoint(scalar))): "
                + "use letters, digits 0-9 and . _ - @"
        }
    }

    /// The ``message``.
    public var description: String { message }

    static func codePoint(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
