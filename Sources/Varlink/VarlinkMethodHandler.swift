/// How a method is implemented.
///
/// A thrown `VarlinkError` becomes that error reply; any other error is logged
/// by the server and answered with the service's generic error (see `VarlinkService.mapError`).
public enum VarlinkMethodHandler: Sendable {
    /// Runs on the connection's event loop, without a Task hop: only for fast,
    /// non-blocking, in-memory work (such as a session check). Never block in it.
    case immediate(@Sendable (VarlinkCall) throws -> [String: JSONValue])
    /// Like `immediate`, but the handler writes its reply parameters itself, through a
    /// ``JSONObjectWriter`` positioned inside the reply's `parameters` object: for hot
    /// methods with a fixed reply shape, so no `JSONValue` tree is built per reply.
    /// If it throws, whatever it wrote is dropped and the error is the reply.
    case immediateWriting(@Sendable (VarlinkCall, inout JSONObjectWriter) throws -> Void)
    /// Runs in a Swift `Task`; may suspend (database, network, hashing).
    case async(@Sendable (VarlinkCall) async throws -> [String: JSONValue])
    /// For `more` calls: send intermediate replies (`continues: true`) through the sink;
    /// the returned parameters are the final reply. Called without `more`, intermediate
    /// replies are dropped and only the final reply is sent — unless `requiresMore` is
    /// true, in which case the call is answered with `ExpectedMore` without running the body.
    case streaming(requiresMore: Bool = false, @Sendable (VarlinkCall, VarlinkReplySink) async throws -> [String: JSONValue])
}

/// Sends intermediate replies (`continues: true`) of a streaming call.
public struct VarlinkReplySink: Sendable {
    private let sendBody: @Sendable ([String: JSONValue]) async throws -> Void

    /// Creates a sink from a send function (the server provides it; tests may use their own).
    public init(_ send: @escaping @Sendable ([String: JSONValue]) async throws -> Void) {
        self.sendBody = send
    }

    /// Sends one intermediate reply. Throws if the connection is gone, so the producer can stop.
    /// Does nothing if the call was made without `more`.
    public func send(_ parameters: [String: JSONValue]) async throws {
        try await sendBody(parameters)
    }
}
