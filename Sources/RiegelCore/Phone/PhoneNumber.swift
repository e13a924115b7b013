/// A validated phone number in E.164 form (`+491511234567`).
///
/// Parses what people type: spaces, `-`, `.`, `/`, parentheses, a leading
/// `+` or `00`, a German-style `+49 (0)151 ...`, and national numbers
/// completed with a default country code (`0151 1234567` with `49`).
/// Validates against ``CountryPlans``: known country code, national length,
/// no short codes, no premium-rate or other special ranges.
///
/// - Important: security rule 9: the full number is a secret at rest. Store
///   it sealed with the `pii` key, look it up through ``lookupKey`` (a blind
///   index), and show or log only ``masked``. `description` is masked too,
///   so string interpolation cannot leak it.
public struct PhoneNumber: Sendable, Hashable, CustomStringConvertible {
    /// The country code, digits only (`"49"`).
    public let countryCode: String
    /// The national significant number, digits only (`"1511234567"`).
    public let nationalNumber: String

    /// Longest input accepted before parsing (anything longer is refused as too long).
    public static let maximumInputLength = 64

    /// The E.164 form: `+`, country code, national number.
    public var e164: String { "+" + countryCode + nationalNumber }

    /// The masked form for replies, logs and audit: the country code and the
    /// last two digits only, in a fixed shape that hides the length
    /// (`"+49 *** *** **67"`).
    public var masked: String { "+\(countryCode) *** *** **\(nationalNumber.suffix(2))" }

    /// The masked form (never the number).
    public var description: String { masked }

    /// The message to digest with the `pii` key for the blind index
    /// (`"phone:" + e164`): `digester.allDigests(lookupKey, purpose: .pii)`.
    public var lookupKey: [UInt8] { Array(("phone:" + e164).utf8) }

    /// The plan the number was validated against.
    public var plan: CountryPlan? { CountryPlans.plan(forCountryCode: countryCode) }

    /// Whether the number is in a mobile range (nil if its plan lists none).
    public var isMobile: Bool? { plan?.isMobile(nationalNumber) }

    /// Parses and validates user input.
    ///
    /// - Parameters:
    ///   - input: what the user typed.
    ///   - defaultCountryCode: completes a national number (`"49"`); nil
    ///     means only international input (`+...`, `00...`) is accepted.
    ///   - requireMobile: also refuse numbers outside the plan's mobile
    ///     ranges (plans that list none accept any number).
    /// - Throws: ``InvalidPhoneNumber`` saying why.
    public init(
        parsing input: String, defaultCountryCode: String? = nil, requireMobile: Bool = false
    ) throws(InvalidPhoneNumber) {
        guard input.utf8.count <= Self.maximumInputLength else { throw .tooLong }
        var international = false
        var digits = ""
        var sawDigit = false
        for scalar in input.unicodeScalars {
            switch scalar {
            case "0"..."9":
                digits.unicodeScalars.append(scalar)
                sawDigit = true
            case "+":
                guard !sawDigit, !international else { throw .invalidCharacter }
                international = true
            case " ", "-", ".", "/", "(", ")", "\t":
                continue
            default:
                throw .invalidCharacter
            }
        }
        guard !digits.isEmpty else { throw .empty }
        if !international, digits.hasPrefix("00") {
            international = true
            digits.removeFirst(2)
        }

        let plan: CountryPlan
        var nsn: Substring
        if international {
            guard let found = CountryPlans.plan(prefixing: Substring(digits)) else {
                guard digits.count <= 15 else { throw .tooLong }
                throw .unknownCountryCode
            }
            plan = found
            nsn = Substring(digits).dropFirst(found.countryCode.count)
            // "+49 (0)151 ..." is common: drop a "(0)" trunk written after the code.
            if let trunk = plan.trunkPrefix, input.contains("(\(trunk))"), nsn.hasPrefix(trunk) {
                nsn = nsn.dropFirst(trunk.count)
            }
        } else {
            if digits.count <= 6 { throw .shortCode }
            guard let code = defaultCountryCode else { throw .missingCountryCode }
            guard let found = CountryPlans.plan(forCountryCode: code) else { throw .unknownCountryCode }
            plan = found
            nsn = Substring(digits)
            if let trunk = plan.trunkPrefix {
                if nsn.hasPrefix(trunk) {
                    nsn = nsn.dropFirst(trunk.count)
                } else if plan.trunkPrefix == "0" {
                    // Without the trunk prefix it is not a national number in
                    // this plan (e.g. "151 1234567" or a typo).
                    throw .malformed
                }
            }
        }
        try Self.validate(nsn: nsn, plan: plan, requireMobile: requireMobile)
        countryCode = plan.countryCode
        nationalNumber = String(nsn)
    }

    /// Validates the national significant number of an E.164 number
    /// already split by ``init(parsing:defaultCountryCode:requireMobile:)``.
    static func validate(nsn: Substring, plan: CountryPlan, requireMobile: Bool) throws(InvalidPhoneNumber) {
        guard plan.countryCode.count + nsn.count <= 15 else { throw .tooLong }
        if let trunk = plan.trunkPrefix, trunk != plan.countryCode, trunk.hasPrefix("0"), nsn.hasPrefix("0") {
            throw .malformed
        }
        if plan.countryCode == "1" {
            // NANP: NPA and NXX start with 2-9.
            let chars = Array(nsn)
            if chars.count >= 4, chars[0] < "2" || chars[3] < "2" { throw .malformed }
        }
        guard nsn.count >= plan.nationalLength.lowerBound else {
            throw nsn.count <= 6 ? .shortCode : .tooShort
        }
        guard nsn.count <= plan.nationalLength.upperBound else { throw .tooLong }
        let nsnString = String(nsn)
        if plan.isSpecial(nsnString) { throw .specialRange }
        if plan.isMobile(nsnString) == true, let range = plan.mobileLength {
            guard nsn.count >= range.lowerBound else { throw .tooShort }
            guard nsn.count <= range.upperBound else { throw .tooLong }
        }
        if requireMobile, plan.isMobile(nsnString) == false { throw .notMobile }
    }
}
