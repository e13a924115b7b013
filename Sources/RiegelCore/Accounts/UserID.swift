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
        UserID(rawValue: "u_" + hex(random.bytes(16)))
    }

    public var description: String { rawValue }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
