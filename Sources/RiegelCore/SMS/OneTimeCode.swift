/// A one-time code: a fixed number of decimal digits drawn without bias.
///
/// - Important: the code is a secret. `description` is redacted; store only
///   the keyed digest of ``digestMessage(challengeID:)`` under the `otp`
///   key, and compare only through ``KeyedDigester/matches(_:digest:purpose:)``.
public struct OneTimeCode: Sendable, Hashable, CustomStringConvertible {
    /// Shortest and longest code length accepted.
    public static let allowedLengths: ClosedRange<Int> = 4...10
    /// The default length (security rule 3).
    public static let defaultLength = 6

    /// The digits, ASCII `0`-`9` only.
    public let digits: String

    /// Draws `length` digits from `random`, one ``RandomSource/uniform(below:)``
    /// draw per digit (rejection sampling: no modulo bias).
    public static func generate(length: Int = defaultLength, using random: any RandomSource) -> OneTimeCode {
        precondition(allowedLengths.contains(length), "code length out of range")
        var text = ""
        for _ in 0..<length {
            let digit = random.uniform(below: 10)
            text.unicodeScalars.append(Unicode.Scalar(UInt8(48 + digit)))
        }
        return OneTimeCode(trusted: text)
    }

    /// Reads a code the user typed: spaces and `-` are ignored; anything
    /// else must be exactly `length` ASCII digits. Nil otherwise (the
    /// caller counts that as a wrong code).
    public init?(userInput: String, length: Int = defaultLength) {
        var text = ""
        for scalar in userInput.unicodeScalars {
            switch scalar {
            case "0"..."9": text.unicodeScalars.append(scalar)
            case " ", "-": continue
            default: return nil
            }
            if text.unicodeScalars.count > length { return nil }
        }
        guard text.unicodeScalars.count == length else { return nil }
        digits = text
    }

    private init(trusted digits: String) {
        self.digits = digits
    }

    /// The message whose keyed digest is stored: `"otp:<challenge_id>:<code>"`
    /// as UTF-8 bytes, binding the code to its challenge.
    public func digestMessage(challengeID: ChallengeID) -> [UInt8] {
        Self.digestMessage(challengeID: challengeID, digits: digits)
    }

    /// `"otp:<challenge_id>:<digits>"` as UTF-8 bytes.
    public static func digestMessage(challengeID: ChallengeID, digits: String) -> [UInt8] {
        Array("otp:\(challengeID.rawValue):\(digits)".utf8)
    }

    /// Redacted: never the digits.
    public var description: String { "OneTimeCode(\(digits.count) digits)" }
}
