/// Thrown by ``RiegelConfig/load(path:)`` when a configuration has problems;
/// carries every problem found, not just the first.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// All problems, ordered by line.
    public var problems: [ConfigProblem]

    /// Wraps a non-empty list of problems.
    public init(problems: [ConfigProblem]) {
        self.problems = problems
    }

    /// One `FILE:LINE: message` line per problem.
    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}
