/// One thing wrong with a configuration file, located by file and line.
///
/// `description` is `FILE:LINE: message`, the format `riegeld --check-config`
/// prints and editors understand. Line 0 means the whole file.
public struct ConfigProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file the problem is in, as given to the loader.
    public var file: String
    /// The 1-based line of the offending key or table header; 0 for the whole file.
    public var line: Int
    /// What is wrong and what is allowed instead.
    public var message: String

    /// Creates a problem report.
    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// `FILE:LINE: message`.
    public var description: String { "\(file):\(line): \(message)" }
}
