import Varlink

/// How a method answers: once, or with a stream of replies when called with `more`.
enum RiegelStreaming: Sendable {
    /// One reply (riegeld ignores intermediate replies without `more`).
    case never
    /// One reply, or a stream with `more` (`Admin.RotateKey`).
    case optional
    /// Only with `more` (riegeld answers `ExpectedMore` otherwise).
    case required
}

/// The parameters of one method of riegeld's interfaces, with its qualified
/// name and reply type: the registry the drift test checks against the IDL.
protocol RiegelMethodCall: Codable, Sendable {
    /// The reply parameters (``EmptyReply`` for a method that answers `()`).
    associatedtype Reply: Codable, Sendable
    /// The qualified method name, e.g. `io.riegel.Auth.Login`.
    static var method: String { get }
    /// Whether the method streams.
    static var streaming: RiegelStreaming { get }
}

extension RiegelMethodCall {
    static var streaming: RiegelStreaming { .never }
}

/// The reply of a method that answers `()`; the public methods return `Void`.
struct EmptyReply: Codable, Sendable, Equatable {
    init() {}
    init(from decoder: any Decoder) throws {}
    func encode(to encoder: any Encoder) throws {
        _ = encoder.container(keyedBy: JSONKey.self)
    }
}

/// A coding key for any member name.
struct JSONKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
