/// Identifies one data key. Ids are unique across all purposes and never reused.
///
/// Ciphertexts and keyed digests carry the id of the key that made them, so
/// they stay readable after a rotation.
public struct KeyID: RawRepresentable, Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The stored value (positive, assigned in increasing order).
    public var rawValue: UInt32

    /// Wraps a stored id.
    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// Parses the written form `key-N` (N positive); nil for anything else.
    public init?(parsing text: String) {
        guard text.hasPrefix("key-"), let raw = UInt32(text.dropFirst(4)), raw > 0,
              text.dropFirst(4).allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        self.init(rawValue: raw)
    }

    /// The id that follows this one.
    public var next: KeyID { KeyID(rawValue: rawValue + 1) }

    /// Orders ids by their numeric value (older keys first).
    public static func < (lhs: KeyID, rhs: KeyID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// A message that says what went wrong and how to fix it.
    public var description: String { "key-\(rawValue)" }
}
