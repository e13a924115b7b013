/// The port through which core logic draws randomness.
///
/// Production uses the operating system's CSPRNG; tests use a seeded source.
/// - Important: every secret (tokens, codes, salts, keys) must come from a
///   source backed by a CSPRNG in production.
public protocol RandomSource: Sendable {
    /// Fills and returns `count` random bytes.
    func bytes(_ count: Int) -> [UInt8]
}

extension RandomSource {
    /// A uniformly distributed integer in `0..<upperBound`, without modulo bias
    /// (rejection sampling on 32-bit draws).
    public func uniform(below upperBound: UInt32) -> UInt32 {
        precondition(upperBound > 0, "upperBound must be positive")
        let limit = UInt32.max - (UInt32.max % upperBound)
        while true {
            let b = bytes(4)
            let value = UInt32(b[0]) | UInt32(b[1]) << 8 | UInt32(b[2]) << 16 | UInt32(b[3]) << 24
            if value < limit { return value % upperBound }
        }
    }
}
