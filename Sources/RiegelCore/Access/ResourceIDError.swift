/// Why a string is not a valid ``ResourceID``.
///
/// ``message`` is meant for the `InvalidResourceID(reason)` varlink error; a
/// rejected character appears only as its code point (`U+0007`).
public enum ResourceIDError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The empty string (leave `resource_id` out instead).
    case empty
    /// More than ``ResourceID/maximumLength`` bytes of UTF-8.
    case tooLong
    /// A control, format, separator, private-use or unassigned character.
    case invalidCharacter(Unicode.Scalar)

    /// A human-readable message that says how to fix the id.
    public var message: String {
        switch self {
        case .empty:
            "resource_id is empty: leave it out or name the resource"
        case .tooLong:
            "resource_id is too long: use at most \(ResourceID.maximumLength) bytes of UTF-8"
        case .invalidCharacter(let scalar):
            "resource_id contains a character that is not allowed (\(UsernameError.codePoint(scalar))): "
                + "no control, format or separator characters"
        }
    }

    /// The ``message``.
    public var description: String { message }
}
