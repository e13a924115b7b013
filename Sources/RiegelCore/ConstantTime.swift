/// Comparisons whose running time does not depend on where inputs differ.
///
/// - Important: use for every comparison of secrets or their digests (MACs,
///   token digests, password hashes). Only the lengths may leak.
public enum ConstantTime {
    /// Whether `a` and `b` hold the same bytes; differing lengths are unequal at once.
    public static func equals<A: Collection, B: Collection>(_ a: A, _ b: B) -> Bool
    where A.Element == UInt8, B.Element == UInt8 {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) {
            difference |= x ^ y
        }
        return difference == 0
    }
}
