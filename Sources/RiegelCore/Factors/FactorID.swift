/// The public identifier of an enrolled factor (`f_` + 32 lowercase hex
/// digits, 128 random bits); the phone is the factor `sms`.
public struct FactorID: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The text form.
    public let rawValue: String

    /// Wraps a stored or received identifier (not validated: unknown ids match nothing).
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// The id under which the phone on file appears in `ListFactors`.
    public static let sms = FactorID(rawValue: "sms")

    /// A fresh identifier from 128 random bits.
    public static func random(using random: any RandomSource) -> FactorID {
        FactorID(rawValue: "f_" + Hex.encode(random.bytes(16)))
    }

    public var description: String { rawValue }
}
