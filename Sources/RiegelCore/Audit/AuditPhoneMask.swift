/// Masks phone numbers for audit details: the country code and the last two
/// digits stay, the rest becomes `***` (`+491701234567` → `+49***67`).
///
/// - Important: security rule 9: a full phone number never reaches the audit
///   trail. The mask does not even reveal the number's length.
public enum AuditPhoneMask {
    /// The masked form of an E.164 number; `***` alone if `phone` is not
    /// `+` followed by 4 to 15 digits.
    public static func mask(_ phone: String) -> String {
        let bytes = Array(phone.utf8)
        guard bytes.first == UInt8(ascii: "+") else { return "***" }
        let digits = bytes.dropFirst()
        guard (4...15).contains(digits.count), digits.allSatisfy({ (48...57).contains($0) }) else { return "***" }
        let all = String(decoding: digits, as: UTF8.self)
        let code = String(all.prefix(countryCodeLength(all)))
        return "+" + code + "***" + String(all.suffix(2))
    }

    /// The length of the ITU-T E.164 country code `digits` starts with:
    /// 1 for zones 1 and 7, 2 for the assigned two-digit codes, else 3.
    static func countryCodeLength(_ digits: String) -> Int {
        guard let first = digits.first else { return 0 }
        if first == "1" || first == "7" { return 1 }
        guard let two = Int(digits.prefix(2)) else { return 3 }
        return twoDigitCodes.contains(two) ? 2 : 3
    }

    /// Country codes of two digits (every other code past zones 1 and 7 has three).
    static let twoDigitCodes: Set<Int> = [
        20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49,
        51, 52, 53, 54, 55, 56, 57, 58, 60, 61, 62, 63, 64, 65, 66, 81, 82, 84, 86,
        90, 91, 92, 93, 94, 95, 98,
    ]
}
