/// A rule of a port that an implementation broke, found by a conformance suite.
public struct ConformanceFailure: Error, Sendable, CustomStringConvertible {
    /// Which rule, and what happened instead.
    public var message: String

    /// Creates a failure.
    public init(_ message: String) {
        self.message = message
    }

    /// The broken rule, for the test log.
    public var description: String { "conformance failure: \(message)" }
}
