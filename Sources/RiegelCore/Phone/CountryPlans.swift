/// The table of country plans riegel accepts numbers from: EU/EEA, CH, GB
/// and NANP (US/CA). Written by hand from the national numbering plans;
/// deliberately coarse.
///
/// Special ranges refused (premium-rate, shared-cost, freephone, directory
/// and personal numbers), per country:
/// - DE: 0900 premium, 0137/0138 mass calling, 0180 shared cost, 0116/0118
///   harmonised and directory services, 0190 (old premium), 0199, 0700
///   personal, 0800 freephone, 012 innovative services, 031 test numbers;
/// - AT: every 09xx (0900/0901/0930/0931/0939 premium), 081x/082x shared cost,
///   0800 freephone; CH: 090x premium, 084x shared cost, 080x freephone;
/// - elsewhere (generic): the national premium ranges (mostly 90x / 89x /
///   60x / 70x), shared cost and freephone (80x, 84x, 87x) where they do not
///   collide with mobile ranges. See each entry.
///
/// - Important: NANP: 900 and 976 are refused; toll-free (8xx) is not, since
///   it can receive SMS and is not premium-rate.
public enum CountryPlans {
    /// Every plan, keyed by country code (codes are prefix-free, so a
    /// number matches at most one).
    public static let all: [String: CountryPlan] = Dictionary(
        uniqueKeysWithValues: list.map { ($0.countryCode, $0) })

    /// The plan of a country code, or nil if riegel does not know it.
    public static func plan(forCountryCode code: String) -> CountryPlan? { all[code] }

    /// The plan whose country code starts `digits` (1 to 3 digits), if any.
    public static func plan(prefixing digits: Substring) -> CountryPlan? {
        for length in 1...3 where digits.count >= length {
            if let plan = all[String(digits.prefix(length))] { return plan }
        }
        return nil
    }

    // swiftlint:disable line_length
    static let list: [CountryPlan] = [
        CountryPlan(countryCode: "49", regions: ["DE"], nationalLength: 6...13, trunkPrefix: "0",
                    mobilePrefixes: ["15", "16", "17"], mobileLength: 10...11,
                    specialPrefixes: ["900", "137", "138", "180", "116", "118", "190", "199", "700", "800", "12", "31"]),
        CountryPlan(countryCode: "43", regions: ["AT"], nationalLength: 4...13, trunkPrefix: "0",
                    mobilePrefixes: ["650", "660", "664", "67", "68", "69"], mobileLength: 10...13,
                    specialPrefixes: ["9", "81", "82", "800"]),
        CountryPlan(countryCode: "41", regions: ["CH"], nationalLength: 9...9, trunkPrefix: "0",
                    mobilePrefixes: ["75", "76", "77", "78", "79"], mobileLength: 9...9,
                    specialPrefixes: ["90", "84", "80"]),
        CountryPlan(countryCode: "33", regions: ["FR"], nationalLength: 9...9, trunkPrefix: "0",
                    mobilePrefixes: ["6", "7"], mobileLength: 9...9,
                    specialPrefixes: ["8"]),
        CountryPlan(countryCode: "39", regions: ["IT"], nationalLength: 6...11, trunkPrefix: nil,
                    mobilePrefixes: ["3"], mobileLength: 9...10,
                    specialPrefixes: ["89", "16", "17", "4", "80"]),
        CountryPlan(countryCode: "34", regions: ["ES"], nationalLength: 9...9, trunkPrefix: nil,
                    mobilePrefixes: ["6", "7"], mobileLength: 9...9,
                    specialPrefixes: ["80", "90", "118", "70"]),
        CountryPlan(countryCode: "31", regions: ["NL"], nationalLength: 9...9, trunkPrefix: "0",
                    mobilePrefixes: ["6"], mobileLength: 9...9,
                    specialPrefixes: ["90", "800", "66"]),
        CountryPlan(countryCode: "32", regions: ["BE"], nationalLength: 8...9, trunkPrefix: "0",
                    mobilePrefixes: ["46", "47", "48", "49"], mobileLength: 9...9,
                    specialPrefixes: ["90", "70", "77", "78", "800"]),
        CountryPlan(countryCode: "352", regions: ["LU"], nationalLength: 4...11, trunkPrefix: nil,
                    mobilePrefixes: ["6"], mobileLength: 9...9,
                    specialPrefixes: ["90", "80"]),
        CountryPlan(countryCode: "48", regions: ["PL"], nationalLength: 9...9, trunkPrefix: nil,
                    mobilePrefixes: ["45", "5", "6", "72", "73", "78", "79", "88"], mobileLength: 9...9,
                    specialPrefixes: ["70", "80"]),
        CountryPlan(countryCode: "420", regions: ["CZ"], nationalLength: 9...9, trunkPrefix: nil,
                    mobilePrefixes: ["60", "7"], mobileLength: 9...9,
                    specialPrefixes: ["90", "8"]),
        CountryPlan(countryCode: "45", regions: ["DK"], nationalLength: 8...8, trunkPrefix: nil,
                    specialPrefixes: ["90", "80"]),
        CountryPlan(countryCode: "46", regions: ["SE"], nationalLength: 7...13, trunkPrefix: "0",
                    mobilePrefixes: ["70", "72", "73", "76", "79"], mobileLength: 9...9,
                    specialPrefixes: ["90", "939", "944", "71"]),
        CountryPlan(countryCode: "47", regions: ["NO"], nationalLength: 8...8, trunkPrefix: nil,
                    mobilePrefixes: ["4", "9"], mobileLength: 8...8,
                    specialPrefixes: ["8"]),
        CountryPlan(countryCode: "358", regions: ["FI"], nationalLength: 5...12, trunkPrefix: "0",
                    mobilePrefixes: ["4", "50"], mobileLength: 6...10,
                    specialPrefixes: ["60", "70", "100", "200", "300"]),
        CountryPlan(countryCode: "353", regions: ["IE"], nationalLength: 7...9, trunkPrefix: "0",
                    mobilePrefixes: ["83", "85", "86", "87", "89"], mobileLength: 9...9,
                    specialPrefixes: ["15", "18"]),
        CountryPlan(countryCode: "351", regions: ["PT"], nationalLength: 9...9, trunkPrefix: nil,
                    mobilePrefixes: ["91", "92", "93", "96"], mobileLength: 9...9,
                    specialPrefixes: ["6", "7", "8"]),
        CountryPlan(countryCode: "30", regions: ["GR"], nationalLength: 10...10, trunkPrefix: nil,
                    mobilePrefixes: ["69"], mobileLength: 10...10,
                    specialPrefixes: ["90", "80"]),
        CountryPlan(countryCode: "36", regions: ["HU"], nationalLength: 8...9, trunkPrefix: "06",
                    mobilePrefixes: ["20", "30", "31", "50", "70"], mobileLength: 9...9,
                    specialPrefixes: ["90", "91", "80"]),
        CountryPlan(countryCode: "40", regions: ["RO"], nationalLength: 9...9, trunkPrefix: "0",
                    mobilePrefixes: ["7"], mobileLength: 9...9,
                    specialPrefixes: ["90", "80"]),
        CountryPlan(countryCode: "359", regions: ["BG"], nationalLength: 7...9, trunkPrefix: "0",
                    mobilePrefixes: ["87", "88", "89", "98", "99"], mobileLength: 9...9,
                    specialPrefixes: ["90", "80"]),
        CountryPlan(countryCode: "385", regions: ["HR"], nationalLength: 8...9, trunkPrefix: "0",
                    mobilePrefixes: ["9"], mobileLength: 8...9,
                    specialPrefixes: ["6", "80"]),
        CountryPlan(countryCode: "386", regions: ["SI"], nationalLength: 8...8, trunkPrefix: "0",
                    mobilePrefixes: ["30", "31", "40", "41", "51", "64", "65", "68", "69", "70", "71"], mobileLength: 8...8,
                    specialPrefixes: ["90", "80", "89"]),
        CountryPlan(countryCode: "421", regions: ["SK"], nationalLength: 9...9, trunkPrefix: "0",
                    mobilePrefixes: ["90", "91", "94", "95"], mobileLength: 9...9,
                    specialPrefixes: ["900", "96", "97", "8"]),
        CountryPlan(countryCode: "372", regions: ["EE"], nationalLength: 7...8, trunkPrefix: nil,
                    mobilePrefixes: ["5", "81", "82", "83", "84"], mobileLength: 7...8,
                    specialPrefixes: ["90", "70", "800"]),
        CountryPlan(countryCode: "371", regions: ["LV"], nationalLength: 8...8, trunkPrefix: nil,
                    mobilePrefixes: ["2"], mobileLength: 8...8,
                    specialPrefixes: ["90", "8"]),
        CountryPlan(countryCode: "370", regions: ["LT"], nationalLength: 8...8, trunkPrefix: "8",
                    mobilePrefixes: ["6"], mobileLength: 8...8,
                    specialPrefixes: ["90", "70", "80"]),
        CountryPlan(countryCode: "356", regions: ["MT"], nationalLength: 8...8, trunkPrefix: nil,
                    mobilePrefixes: ["77", "79", "98", "99"], mobileLength: 8...8,
                    specialPrefixes: ["50", "51", "80"]),
        CountryPlan(countryCode: "357", regions: ["CY"], nationalLength: 8...8, trunkPrefix: nil,
                    mobilePrefixes: ["9"], mobileLength: 8...8,
                    specialPrefixes: ["90", "80"]),
        CountryPlan(countryCode: "354", regions: ["IS"], nationalLength: 7...7, trunkPrefix: nil,
                    mobilePrefixes: ["6", "7", "8"], mobileLength: 7...7,
                    specialPrefixes: ["90", "80"]),
        CountryPlan(countryCode: "423", regions: ["LI"], nationalLength: 7...7, trunkPrefix: nil,
                    mobilePrefixes: ["7"], mobileLength: 7...7,
                    specialPrefixes: ["90", "80"]),
        CountryPlan(countryCode: "44", regions: ["GB"], nationalLength: 9...10, trunkPrefix: "0",
                    mobilePrefixes: ["71", "72", "73", "74", "75", "77", "78", "79"], mobileLength: 10...10,
                    specialPrefixes: ["9", "8", "70", "76", "118"]),
        CountryPlan(countryCode: "1", regions: ["US", "CA"], nationalLength: 10...10, trunkPrefix: "1",
                    specialPrefixes: ["900", "976"]),
    ]
    // swiftlint:enable line_length
}
