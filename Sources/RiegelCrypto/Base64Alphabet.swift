/// Unpadded base64 in one of three alphabets: URL-safe (tokens), standard
/// (PHC strings) or passlib's adapted one (its pbkdf2 hashes).
struct Base64Alphabet: Sendable {
    /// `A-Z a-z 0-9 - _` (RFC 4648 §5).
    static let url = Base64Alphabet(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8))
    /// `A-Z a-z 0-9 + /` (RFC 4648 §4), as PHC strings use it.
    static let standard = Base64Alphabet(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8))

    /// `A-Z a-z 0-9 . /`: passlib's "ab64" (standard base64 with `.` for `+`), used by its `$pbkdf2-*$` hashes.
    static let adapted = Base64Alphabet(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789./".utf8))

    private let symbols: [UInt8]
    private let values: [UInt8]

    private init(_ symbols: [UInt8]) {
        self.symbols = symbols
        var values = [UInt8](repeating: 0xFF, count: 256)
        for (index, symbol) in symbols.enumerated() { values[Int(symbol)] = UInt8(index) }
        self.values = values
    }

    /// Encodes without padding.
    func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = buffer << 8 | UInt32(byte)
            bits += 8
            while bits >= 6 {
                bits -= 6
                out.append(symbols[Int((buffer >> UInt32(bits)) & 0x3F)])
            }
        }
        if bits > 0 { out.append(symbols[Int((buffer << UInt32(6 - bits)) & 0x3F)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes unpadded input; nil on a foreign symbol, padding, an impossible
    /// length or non-zero trailing bits (so every value has one encoding).
    func decode(_ text: String) -> [UInt8]? {
        let input = Array(text.utf8)
        guard input.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(input.count * 3 / 4)
        var buffer: UInt32 = 0
        var bits = 0
        for symbol in input {
            let value = values[Int(symbol)]
            guard value != 0xFF else { return nil }
            buffer = buffer << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        guard buffer & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
        return out
    }
}
