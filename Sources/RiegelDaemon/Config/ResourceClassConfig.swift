import RiegelCore

/// `[resource_class.NAME]`: what AuthorizeAccess demands before a session may
/// open a resource of that class.
public struct ResourceClassConfig: Sendable, Equatable {
    /// Whether a second factor must have been passed in this session.
    public var secondFactor: Bool
    /// How long a passed second factor counts; nil: for the rest of the session.
    public var secondFactorMaxAge: ConfigDuration?

    /// A class with the given demands.
    public init(secondFactor: Bool, secondFactorMaxAge: ConfigDuration? = nil) {
        self.secondFactor = secondFactor
        self.secondFactorMaxAge = secondFactorMaxAge
    }

    /// Classes that exist unless the config overrides them by name: those
    /// of ``ResourceClassCatalog/builtIns`` (`standard`, `health_document`).
    public static let builtIns: [String: ResourceClassConfig] = Dictionary(
        uniqueKeysWithValues: ResourceClassCatalog.builtIns.map { c in
            (c.name, ResourceClassConfig(secondFactor: c.needsSecondFactor,
                                         secondFactorMaxAge: c.secondFactorMaxAge.map(ConfigDuration.init(seconds:))))
        })

    /// `name` for a problem message: printable ASCII as is, anything else as `U+XXXX`.
    static func printable(_ name: String) -> String {
        name.unicodeScalars.map { s in
            if s.value >= 0x20 && s.value < 0x7F { return String(s) }
            let hex = String(s.value, radix: 16, uppercase: true)
            return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        }.joined()
    }

    /// Reads a class; keys left out keep the built-in's value of that name, if any.
    static func read(_ s: inout ConfigSection, base: ResourceClassConfig?) -> ResourceClassConfig {
        var c = base ?? ResourceClassConfig(secondFactor: false)
        c.secondFactor = s.bool("second_factor", c.secondFactor)
        if let age = s.optionalDuration("second_factor_max_age") { c.secondFactorMaxAge = age }
        return c
    }
}
