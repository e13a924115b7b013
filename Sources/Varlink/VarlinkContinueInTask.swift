/// Thrown by an ``VarlinkMethodHandler/immediate(_:)`` or
/// ``VarlinkMethodHandler/immediateWriting(_:)`` handler that finds it cannot
/// answer from memory after all (a session check that must read the
/// database): the server runs `operation` in a Swift `Task` instead, as for an
/// ``VarlinkMethodHandler/async(_:)`` method, so nothing blocks the event
/// loop. Replies keep call order; whatever the handler wrote is dropped.
public struct VarlinkContinueInTask: Error, Sendable {
    /// The rest of the call; its result is the reply.
    public let operation: @Sendable () async throws -> [String: JSONValue]

    /// Continues the call with `operation`.
    public init(_ operation: @escaping @Sendable () async throws -> [String: JSONValue]) {
        self.operation = operation
    }
}
