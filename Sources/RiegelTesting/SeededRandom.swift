import RiegelCore
import Synchronization

/// A deterministic random source for tests (SplitMix64). Never for secrets.
public final class SeededRandom: RandomSource, Sendable {
    private let state: Mutex<UInt64>

    /// Creates a source whose sequence is fixed by `seed`.
    public init(seed: UInt64 = 0x5EED) {
        state = Mutex(seed)
    }

    public func bytes(_ count: Int) -> [UInt8] {
        state.withLock { s in
            var out: [UInt8] = []
            out.reserveCapacity(count)
            while out.count < count {
                s &+= 0x9E37_79B9_7F4A_7C15
                var z = s
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                z ^= z >> 31
                for i in 0..<8 where out.count < count {
                    out.append(UInt8(truncatingIfNeeded: z >> (8 * UInt64(i))))
                }
            }
            return out
        }
    }
}
