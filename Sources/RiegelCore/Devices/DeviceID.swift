/// The public identifier of a trusted device or app key (`d_` + 32 lowercase
/// hex digits, 128 random bits): safe to show and log, unlike a device token.
public struct DeviceID: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The text form.
    public let rawValue: String

    /// Wraps a stored or received identifier (not validated: unknown ids simply match nothing).
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// A fresh identifier from 128 random bits.
    public static func random(using random: any RandomSource) -> DeviceID {
        DeviceID(rawValue: "d_" + Hex.encode(random.bytes(16)))
    }

    /// Whether the text has the shape riegel gives device ids (`d_` + 32
    /// lowercase hex digits). Ids of another shape were never issued, so a
    /// caller may refuse them before any lookup; the answer says nothing about
    /// whether a well-formed id exists.
    public var isWellFormed: Bool {
        let u = Array(rawValue.utf8)
        guard u.count == 34, u[0] == UInt8(ascii: "d"), u[1] == UInt8(ascii: "_") else { return false }
        return u[2...].allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    public var description: String { rawValue }
}
