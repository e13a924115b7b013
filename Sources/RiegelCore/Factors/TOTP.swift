/// TOTP (RFC 6238 over HOTP, RFC 4226) on an injected HMAC-SHA1 and clock.
///
/// The HMAC comes through the ``OneTimePasswordMAC`` port (swift-crypto in
/// production); this type does the counter, the dynamic truncation and the
/// window check.
public enum TOTP {
    /// The time step of `now`: whole steps since the Unix epoch (T0 = 0).
    public static func step(at now: Instant, policy: TOTPPolicy) -> Int64 {
        Int64((now.secondsSinceEpoch / Double(policy.step)).rounded(.down))
    }

    /// The code of `step` (HOTP of the step counter), `digits` digits with leading zeros.
    public static func code(secret: [UInt8], step: Int64, digits: Int, mac: any OneTimePasswordMAC) -> String {
        var counter = UInt64(bitPattern: step).bigEndian
        let message = withUnsafeBytes(of: &counter) { Array($0) }
        let hash = mac.hmacSHA1(key: secret, message: message)
        let offset = Int(hash[hash.count - 1] & 0x0F)
        let binary = (UInt32(hash[offset] & 0x7F) << 24) | (UInt32(hash[offset + 1]) << 16)
            | (UInt32(hash[offset + 2]) << 8) | UInt32(hash[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let value = String(binary % modulus)
        return String(repeating: "0", count: max(0, digits - value.count)) + value
    }

    /// Whether `input` has the form of a code: exactly `digits` ASCII digits.
    public static func isWellFormed(_ input: String, policy: TOTPPolicy) -> Bool {
        input.utf8.count == policy.digits && input.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// The step within the window around `now` (``TOTPPolicy/skew`` either way)
    /// whose code is `input`, or nil. Every step of the window is computed and
    /// compared in constant time, whatever matches; when two steps share the
    /// code, the latest wins.
    public static func matchingStep(_ input: String, secret: [UInt8], now: Instant, policy: TOTPPolicy,
                                    mac: any OneTimePasswordMAC) -> Int64? {
        let current = step(at: now, policy: policy)
        let given = Array(input.utf8)
        var found: Int64?
        for candidate in (current - policy.skew)...(current + policy.skew) where candidate >= 0 {
            let expected = Array(code(secret: secret, step: candidate, digits: policy.digits, mac: mac).utf8)
            if ConstantTime.equals(given, expected) { found = candidate }
        }
        return found
    }
}
