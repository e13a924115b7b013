/// The stable, random identifier of an account (`u_` + 32 lowercase hex digits).
///
/// Audit entries keep it after the account is deleted: it says nothing about
/// the person.
public struct UserID: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The text form.
    public let rawValue: String

    /// Wraps a stored or received identifier (not validated: unknown ids simply match nothing).
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// A fresh identifier from 128 random bits.
    public static func random(using random: any RandomSource) -> UserID {
        UserID(rawValue: "u_" + Hex.encode(random.bytes(16)))
    }

    public var description: String { rawValue }
}
