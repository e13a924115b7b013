/// Decoding of base64 received from callers (public keys and signatures):
/// the standard alphabet (`+/`) or the URL-safe one (`-_`), with or without
/// `=` padding, so either spelling a client library produces is accepted.
///
/// Strict otherwise: no white space, no mixing of the two alphabets, unused
/// trailing bits must be zero (one encoding per byte string).
public enum Base64Text {
    /// The bytes of `text`, or nil if it is not base64 by the rules above.
    public static func decode(_ text: String) -> [UInt8]? {
        var chars = Array(text.utf8)
        while chars.last == UInt8(ascii: "=") { chars.removeLast() }
        let padding = text.utf8.count - chars.count
        if padding > 2 || (padding > 0 && (chars.count + padding) % 4 != 0) { return nil }
        if chars.count % 4 == 1 { return nil }
        let standard = chars.contains(UInt8(ascii: "+")) || chars.contains(UInt8(ascii: "/"))
        let url = chars.contains(UInt8(ascii: "-")) || chars.contains(UInt8(ascii: "_"))
        if standard && url { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count * 3 / 4)
        var buffer: UInt32 = 0
        var bits = 0
        for c in chars {
            let v: UInt32
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = UInt32(c - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): v = UInt32(c - UInt8(ascii: "a")) + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = UInt32(c - UInt8(ascii: "0")) + 52
            case UInt8(ascii: "+"), UInt8(ascii: "-"): v = 62
            case UInt8(ascii: "/"), UInt8(ascii: "_"): v = 63
            default: return nil
            }
            buffer = buffer << 6 | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        if bits > 0, buffer & ((1 << UInt32(bits)) - 1) != 0 { return nil }
        return out
    }
}
