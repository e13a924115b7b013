/// The numbering plan of one country code, as far as riegel needs it:
/// lengths, trunk prefix, mobile ranges and ranges refused as special
/// (premium-rate, shared-cost, freephone, directory, personal numbers).
///
/// Lengths count the national significant number (NSN): the digits after
/// the country code, without the trunk prefix.
///
/// - Important: ``specialPrefixes`` is the toll-fraud defence at the
///   number level; a prefix listed there is refused even if it also looks
///   like a mobile number.
public struct CountryPlan: Sendable, Hashable {
    /// The country code, digits only (`"49"`).
    public let countryCode: String
    /// ISO 3166-1 alpha-2 regions that share the code (`["US", "CA"]`).
    public let regions: [String]
    /// Allowed NSN lengths for any number.
    public let nationalLength: ClosedRange<Int>
    /// The national trunk prefix dropped from national input (`"0"`), or nil
    /// where the leading digits belong to the number (IT, ES, ...).
    public let trunkPrefix: String?
    /// NSN prefixes of mobile numbers; empty where not known.
    public let mobilePrefixes: [String]
    /// Allowed NSN lengths of mobile numbers (narrower than ``nationalLength``).
    public let mobileLength: ClosedRange<Int>?
    /// NSN prefixes that are refused as special ranges.
    public let specialPrefixes: [String]

    /// Creates a plan.
    public init(
        countryCode: String, regions: [String], nationalLength: ClosedRange<Int>,
        trunkPrefix: String?, mobilePrefixes: [String] = [], mobileLength: ClosedRange<Int>? = nil,
        specialPrefixes: [String]
    ) {
        self.countryCode = countryCode
        self.regions = regions
        self.nationalLength = nationalLength
        self.trunkPrefix = trunkPrefix
        self.mobilePrefixes = mobilePrefixes
        self.mobileLength = mobileLength
        self.specialPrefixes = specialPrefixes
    }

    /// Whether `nsn` starts with a mobile prefix (nil if the plan knows none).
    public func isMobile(_ nsn: String) -> Bool? {
        guard !mobilePrefixes.isEmpty else { return nil }
        return mobilePrefixes.contains { nsn.hasPrefix($0) }
    }

    /// Whether `nsn` starts with a special-range prefix.
    public func isSpecial(_ nsn: String) -> Bool {
        specialPrefixes.contains { nsn.hasPrefix($0) }
    }
}
