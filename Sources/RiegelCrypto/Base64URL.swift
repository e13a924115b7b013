/// Base64url without padding (RFC 4648 §5), the text form of tokens.
public enum Base64URL {
    /// Encodes `bytes` without `=` padding.
    public static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        Base64Alphabet.url.encode(bytes)
    }

    /// Decodes unpadded base64url; nil if `text` is not the canonical encoding of some bytes.
    public static func decode(_ text: String) -> [UInt8]? {
        Base64Alphabet.url.decode(text)
    }
}
