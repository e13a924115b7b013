import RiegelCore

/// A session id (`s_` + 32 hex digits) as 16 bytes, for the in-memory table.
///
/// Ids of another shape (not made by riegel) get a key from their text and
/// are remembered beside the table, so every id round-trips.
struct SessionKey: Hashable, Sendable {
    let hi: UInt64, lo: UInt64

    /// The key of a well-formed id, or nil.
    init?(canonical id: SessionID) {
        let u = Array(id.rawValue.utf8)
        guard u.count == 34, u[0] == UInt8(ascii: "s"), u[1] == UInt8(ascii: "_") else { return nil }
        var words: [UInt64] = [0, 0]
        for i in 0..<32 {
            let c = u[2 + i]
            let v: UInt8
            switch c {
            case 48...57: v = c - 48
            case 97...102: v = c - 87
            default: return nil
            }
            words[i / 16] = words[i / 16] << 4 | UInt64(v)
        }
        hi = words[0]
        lo = words[1]
    }

    /// A key for an id of another shape (FNV-1a over its text, twice).
    init(irregular id: SessionID) {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325, b: UInt64 = 0x8422_2325_cbf2_9ce4
        for byte in id.rawValue.utf8 {
            a = (a ^ UInt64(byte)) &* 0x100_0000_01b3
            b = (b ^ UInt64(byte)) &* 0x100_0000_01b3 &+ 1
        }
        hi = a  // as unlikely to meet a canonical key as any 128-bit collision
        lo = b
    }

    /// The canonical id text, written straight into the string's storage.
    var canonicalID: SessionID {
        let digits: StaticString = "0123456789abcdef"
        let text = String(unsafeUninitializedCapacity: 34) { out in
            out[0] = UInt8(ascii: "s")
            out[1] = UInt8(ascii: "_")
            func put(_ word: UInt64, at offset: Int) {
                for i in 0..<16 {
                    out[offset + i] = digits.utf8Start[Int(truncatingIfNeeded: word >> UInt64(60 - 4 * i)) & 0xF]
                }
            }
            put(hi, at: 2)
            put(lo, at: 18)
            return 34
        }
        return SessionID(rawValue: text)
    }
}
