/// The country codes riegel sends SMS to: an SMS-pumping defence (toll
/// fraud mostly targets far-away, expensive destinations).
///
/// Default: the EU/EEA countries and Switzerland. Configurable; codes not in
/// ``CountryPlans`` are refused at construction, since no number could be
/// validated for them anyway.
///
/// - Important: check every number against the allowlist before sending
///   (enrolment *and* each send: the config may have narrowed since
///   enrolment); a refusal is `InvalidPhoneNumber` and is audited.
public struct CountryAllowlist: Sendable, Hashable {
    /// The allowed country codes, digits only.
    public let countryCodes: Set<String>

    /// EU (27) + EEA (IS, LI, NO) + CH. Note: `"1"` (US/CA) and `"44"` (GB)
    /// are in the plan table but not allowed by default.
    public static let euEEAAndSwitzerland: CountryAllowlist = {
        let codes: Set<String> = [
            "43", "32", "359", "385", "357", "420", "45", "372", "358", "33", "49", "30", "36",
            "353", "39", "371", "370", "352", "356", "31", "48", "351", "40", "421", "386", "34", "46",
            "354", "423", "47",
            "41",
        ]
        return CountryAllowlist(trusted: codes)
    }()

    /// An allowlist of `countryCodes` (digits, optionally with a leading `+`).
    /// - Throws: ``InvalidPhoneNumber/unknownCountryCode`` for a code without
    ///   a plan in ``CountryPlans``.
    public init(countryCodes: some Sequence<String>) throws(InvalidPhoneNumber) {
        var codes: Set<String> = []
        for raw in countryCodes {
            let code = raw.hasPrefix("+") ? String(raw.dropFirst()) : raw
            guard CountryPlans.plan(forCountryCode: code) != nil else { throw .unknownCountryCode }
            codes.insert(code)
        }
        self.init(trusted: codes)
    }

    private init(trusted codes: Set<String>) {
        countryCodes = codes
    }

    /// Whether numbers of `countryCode` may receive SMS.
    public func allows(countryCode: String) -> Bool { countryCodes.contains(countryCode) }

    /// Throws unless `number`'s country is allowed.
    /// - Throws: ``InvalidPhoneNumber/countryNotAllowed(countryCode:)``.
    public func check(_ number: PhoneNumber) throws(InvalidPhoneNumber) {
        guard allows(countryCode: number.countryCode) else {
            throw .countryNotAllowed(countryCode: number.countryCode)
        }
    }
}
