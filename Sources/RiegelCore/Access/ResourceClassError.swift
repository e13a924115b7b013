/// Why a ``ResourceClass`` or a ``ResourceClassCatalog`` cannot be built
/// (a configuration mistake, reported at startup or reload).
public enum ResourceClassError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The name breaks the naming rule; `problem` says which part.
    case invalidName(name: String, problem: String)
    /// `second_factor_max_age` is not a positive, finite number of seconds.
    case invalidMaxAge(name: String)
    /// Two classes share a name.
    case duplicateName(String)

    /// What is wrong and how to fix it.
    public var description: String {
        switch self {
        case .invalidName(_, let problem):
            "resource class name is not valid: \(problem)"
        case .invalidMaxAge(let name):
            "resource class \(name): second_factor_max_age must be a positive duration"
        case .duplicateName(let name):
            "resource class \(name) is defined twice; keep one definition"
        }
    }
}
