/// A SHA-256 token digest as four words: a dictionary key without a heap
/// allocation, for the in-memory session table.
struct TokenDigestKey: Hashable, Sendable {
    let a: UInt64, b: UInt64, c: UInt64, d: UInt64

    /// The key of a 32-byte digest (shorter ones are zero-padded: fakes in tests).
    init(_ digest: [UInt8]) {
        var words: [UInt64] = [0, 0, 0, 0]
        for (i, byte) in digest.prefix(32).enumerated() {
            words[i / 8] |= UInt64(byte) << (8 * UInt64(i % 8))
        }
        if digest.count > 32 {  // longer fake digests: fold the rest in
            for (i, byte) in digest.dropFirst(32).enumerated() {
                words[i % 4] = words[i % 4] &* 31 &+ UInt64(byte)
            }
        }
        (a, b, c, d) = (words[0], words[1], words[2], words[3])
    }
}
