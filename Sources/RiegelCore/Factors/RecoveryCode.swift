/// A recovery code: 10 characters from an alphabet without look-alikes
/// (no 0/O, 1/l/i), shown as `xxxxx-xxxxx` (about 49 bits each).
///
/// - Important: exists in clear only while a set is made and shown once;
///   the store holds ``digestMessage(user:)`` keyed with the `otp` key,
///   bound to the user id, so a digest copied to another account matches nothing.
public struct RecoveryCode: Sendable, Hashable {
    /// The characters codes are made of (31: a–z and 2–9 without i, l, o).
    public static let alphabet = Array("abcdefghjkmnpqrstuvwxyz23456789".utf8)
    /// Characters per code.
    public static let length = 10
    /// Codes per set, unless configured otherwise.
    public static let defaultCount = 10

    /// The normalised characters (lowercase, no separator).
    public let normalized: String

    /// The form shown to the user: two groups of five.
    public var display: String {
        let chars = Array(normalized)
        return String(chars[0..<5]) + "-" + String(chars[5...])
    }

    /// A fresh code.
    public static func generate(using random: any RandomSource) -> RecoveryCode {
        var bytes: [UInt8] = []
        for _ in 0..<length { bytes.append(alphabet[Int(random.uniform(below: UInt32(alphabet.count)))]) }
        return RecoveryCode(normalized: String(decoding: bytes, as: UTF8.self))
    }

    /// Parses user input: case, spaces and hyphens do not matter.
    /// Returns nil if what is left is not ``length`` characters of the alphabet.
    public init?(parsing input: String) {
        let kept = input.lowercased().utf8.filter { $0 != UInt8(ascii: "-") && $0 != UInt8(ascii: " ") }
        guard kept.count == Self.length, kept.allSatisfy(Self.alphabet.contains) else { return nil }
        normalized = String(decoding: kept, as: UTF8.self)
    }

    private init(normalized: String) {
        self.normalized = normalized
    }

    /// The bytes digested for storage: user id and code.
    public func digestMessage(user: UserID) -> [UInt8] {
        Array(("recovery:" + user.rawValue + ":" + normalized).utf8)
    }
}
