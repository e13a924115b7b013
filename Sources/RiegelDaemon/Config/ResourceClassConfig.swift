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

    /// Classes that exist unless the config overrides them by name.
    public static let builtIns: [String: ResourceClassConfig] = [
        "standard": ResourceClassConfig(secondFactor: false),
        "health_document": ResourceClassConfig(secondFactor: true, secondFactorMaxAge: .minutes(10)),
    ]

    /// Reads a class; keys left out keep the built-in's value of that name, if any.
    static func read(_ s: inout ConfigSection, base: ResourceClassConfig?) -> ResourceClassConfig {
        var c = base ?? ResourceClassConfig(secondFactor: false)
        c.secondFactor = s.bool("second_factor", c.secondFactor)
        if let age = s.optionalDuration("second_factor_max_age") { c.secondFactorMaxAge = age }
        return c
    }
}
