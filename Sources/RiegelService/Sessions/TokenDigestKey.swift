/// A SHA-256 token digest as four words: a dictionary key without a heap
/// allocation, for the in-memory session table.
struct TokenDigestKey: Hashable, Sendable {
    let a: UInt64, b: UInt64, c: UInt64, d: UInt64

    /// The key of a 32-byte digest (shorter ones are zero-padded: fakes in tests).
    init(_ digest: [UInt8]) {
        self = digest.withUnsafeBytes { TokenDigestKey(bytes: $0) }
    }

    /// The key of digest bytes, read in place: a 32-byte digest (the real one) as four
    /// little-endian words; other lengths (fakes in tests) zero-padded, the rest folded in.
    init(bytes digest: UnsafeRawBufferPointer) {
        if digest.count == 32 {
            a = UInt64(littleEndian: digest.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
            b = UInt64(littleEndian: digest.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            c = UInt64(littleEndian: digest.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
            d = UInt64(littleEndian: digest.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
            return
        }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        func combine(_ i: Int, _ f: (inout UInt64) -> Void) {
            switch i {
            case 0: f(&words.0)
            case 1: f(&words.1)
            case 2: f(&words.2)
            default: f(&words.3)
            }
        }
        for (i, byte) in digest.prefix(32).enumerated() {
            combine(i / 8) { $0 |= UInt64(byte) << (8 * UInt64(i % 8)) }
        }
        for (i, byte) in digest.dropFirst(32).enumerated() {  // longer fake digests: fold the rest in
            combine(i % 4) { $0 = $0 &* 31 &+ UInt64(byte) }
        }
        (a, b, c, d) = words
    }
}
