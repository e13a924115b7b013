/// Why a string is not a valid ``DeviceLabel``.
///
/// ``message`` is meant for the `InvalidDeviceLabel(reason)` varlink error; a
/// rejected character appears only as its code point (`U+202E`).
public enum DeviceLabelError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Nothing but white space.
    case empty
    /// More than ``DeviceLabel/maximumLength`` Unicode scalars after trimming.
    case tooLong
    /// A control, format, separator, private-use or unassigned code point.
    case invalidCharacter(Unicode.Scalar)

    /// A human-readable message that says how to fix the label.
    public var message: String {
        switch self {
        case .empty:
            "device label is empty: give the device a name"
        case .tooLong:
            "device label is too long: use at most \(DeviceLabel.maximumLength) characters"
        case .invalidCharacter(let scalar):
            "device label contains a character that is not allowed (\(UsernameError.codePoint(scalar))): "
                + "use printable text without control or formatting characters"
        }
    }

    /// The ``message``.
    public var description: String { message }
}
