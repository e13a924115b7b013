import RiegelCore

/// The operating system's CSPRNG as a ``RandomSource`` (`getrandom(2)` on
/// Linux, via `SystemRandomNumberGenerator`).
///
/// - Important: the only random source for secrets in production.
public struct SystemRandom: RandomSource {
    /// A source drawing from the system CSPRNG.
    public init() {}

    /// `count` bytes from the system CSPRNG.
    public func bytes(_ count: Int) -> [UInt8] {
        precondition(count >= 0, "count must not be negative")
        var generator = SystemRandomNumberGenerator()
        var out = [UInt8](repeating: 0, count: count)
        var index = 0
        while index < count {
            var word = generator.next()
            for _ in 0..<8 where index < count {
                out[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
        return out
    }
}
