/// A kind of resource the portal guards with ``AccessDecision``: what a
/// session must have proven before it may open one (`[resource_class.NAME]`).
///
/// - Important: a class that needs a second factor with no ``secondFactorMaxAge``
///   stays open for the rest of the session once the second factor is proven;
///   give sensitive classes a max age (`health_document`: 10 minutes).
public struct ResourceClass: Sendable, Hashable {
    /// The most characters a class name may have.
    public static let maximumNameLength = 64

    /// The name callers pass as `resource_class`: 1–64 characters of
    /// lowercase ASCII letters, digits and `_` `-` `.`, starting with a letter.
    public let name: String
    /// Whether a second factor must have been proven in this session.
    public let needsSecondFactor: Bool
    /// Seconds after the last proof of the second factor during which access
    /// stays open; nil: for the rest of the session. Activity does not extend it.
    public let secondFactorMaxAge: Double?

    /// A class; checks the name and that a max age is positive and finite.
    /// - Throws: ``ResourceClassError`` saying what is wrong.
    public init(name: String, needsSecondFactor: Bool, secondFactorMaxAge: Double? = nil) throws(ResourceClassError) {
        if let problem = ResourceClass.nameProblem(name) { throw .invalidName(name: name, problem: problem) }
        if let age = secondFactorMaxAge, !(age.isFinite && age > 0) { throw .invalidMaxAge(name: name) }
        self.init(unchecked: name, needsSecondFactor: needsSecondFactor, secondFactorMaxAge: secondFactorMaxAge)
    }

    private init(unchecked name: String, needsSecondFactor: Bool, secondFactorMaxAge: Double?) {
        self.name = name
        self.needsSecondFactor = needsSecondFactor
        self.secondFactorMaxAge = secondFactorMaxAge
    }

    /// Built in: a password session suffices.
    public static let standard = ResourceClass(unchecked: "standard", needsSecondFactor: false, secondFactorMaxAge: nil)
    /// Built in: health documents (GDPR art. 9 data) need a second factor
    /// proven in the last 10 minutes.
    public static let healthDocument = ResourceClass(unchecked: "health_document", needsSecondFactor: true,
                                                     secondFactorMaxAge: 600)

    /// Whether `name` is a well-formed class name (known or not).
    public static func isValidName(_ name: String) -> Bool {
        nameProblem(name) == nil
    }

    /// Why `name` is not a well-formed class name, or nil if it is one. The
    /// text never repeats the name (it may hold control characters).
    public static func nameProblem(_ name: String) -> String? {
        let bytes = Array(name.utf8)
        if bytes.isEmpty { return "a resource class name must not be empty" }
        if bytes.count > maximumNameLength {
            return "a resource class name has at most \(maximumNameLength) characters"
        }
        guard bytes[0] >= UInt8(ascii: "a"), bytes[0] <= UInt8(ascii: "z") else {
            return "a resource class name starts with a lowercase letter a-z"
        }
        for b in bytes {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."):
                continue
            default:
                return "a resource class name has only lowercase letters a-z, digits 0-9 and _ - ."
            }
        }
        return nil
    }
}
