/// The public identifier of a session (`s_` + 32 hex digits): safe to show and
/// log, unlike its token.
public struct SessionID: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The text form.
    public let rawValue: String

    /// Wraps a stored or received identifier.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// A fresh identifier from 128 random bits.
    public static func random(using random: any RandomSource) -> SessionID {
        SessionID(rawValue: "s_" + Hex.encode(random.bytes(16)))
    }

    public var description: String { rawValue }
}
