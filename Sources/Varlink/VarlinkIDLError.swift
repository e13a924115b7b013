/// Why an interface definition was rejected, with the 1-based line and column.
public struct VarlinkIDLError: Error, Sendable, Hashable, CustomStringConvertible {
    /// 1-based line of the problem.
    public var line: Int
    /// 1-based column of the problem.
    public var column: Int
    /// What is wrong and what the grammar expects there.
    public var message: String

    /// Creates an IDL error.
    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    /// `line L, column C: message`.
    public var description: String { "invalid varlink IDL at line \(line), column \(column): \(message)" }
}
