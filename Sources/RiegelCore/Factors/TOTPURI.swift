/// The `otpauth://totp/` URI an authenticator app scans (the Key Uri Format
/// of Google Authenticator, which every app reads): issuer and account
/// name in the label, the base32 secret, and the parameters spelled out.
public enum TOTPURI {
    /// The URI for `secret`, shown under `issuer` as `accountName`.
    public static func make(secret: [UInt8], issuer: String, accountName: String, policy: TOTPPolicy) -> String {
        let label = escape(issuer) + ":" + escape(accountName)
        return "otpauth://totp/" + label + "?secret=" + Base32.encode(secret) + "&issuer=" + escape(issuer)
            + "&algorithm=SHA1&digits=\(policy.digits)&period=\(policy.step)"
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters.
    static func escape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + Hex.encode([byte]).uppercased()
            }
        }
        return out
    }
}
