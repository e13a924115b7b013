/// The public identifier of an SMS challenge (`c_` + 32 lowercase hex
/// digits, 128 random bits).
///
/// - Important: the id is bound into the code's keyed digest
///   (``OneTimeCode/digestMessage(challengeID:)``), so a code of one
///   challenge never verifies another.
public struct ChallengeID: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The text form.
    public let rawValue: String

    /// Wraps a stored or received identifier (not validated: unknown ids match nothing).
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// A fresh identifier from 128 random bits.
    public static func random(using random: any RandomSource) -> ChallengeID {
        ChallengeID(rawValue: "c_" + Hex.encode(random.bytes(16)))
    }

    public var description: String { rawValue }
}
