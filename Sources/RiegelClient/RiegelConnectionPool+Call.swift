import NIOConcurrencyHelpers
import Varlink

extension RiegelConnectionPool {
    /// Calls the method of `request` on a leased connection and decodes its reply.
    ///
    /// - Important: a cancelled task's call throws `CancellationError` and its
    ///   connection is closed, never reused: riegeld still answers the abandoned
    ///   call, and that reply would be taken for the next call's. A reply that
    ///   arrived before the cancellation was seen is returned (the daemon acted on it).
    func call<Call: RiegelMethodCall>(_ request: Call) async throws -> Call.Reply {
        assert(Call.streaming != .required, "\(Call.method) answers only with more: call stream(_:)")
        let parameters = try Self.parameters(of: request)
        try Task.checkCancellation()
        let connection = try await acquire()
        if Task.isCancelled {
            release(connection, reusable: true)
            throw CancellationError()
        }
        let abandoned = NIOLockedValueBox(false)
        let outcome: Result<[String: JSONValue], any Error> = await withTaskCancellationHandler {
            do {
                return .success(try await connection.call(Call.method, parameters: parameters))
            } catch {
                return .failure(error)
            }
        } onCancel: {
            abandoned.withLockedValue { $0 = true }
            Self.closeInBackground(connection)
        }
        let wasAbandoned = abandoned.withLockedValue { $0 }
        switch outcome {
        case .success(let reply):
            release(connection, reusable: !wasAbandoned)
            return try Self.decode(Call.Reply.self, from: reply, method: Call.method)
        case .failure(let error as VarlinkError):
            // An error reply is a complete answer: the connection is in step.
            release(connection, reusable: !wasAbandoned)
            throw RiegelClientError(error)
        case .failure(let error):
            release(connection, reusable: false)
            if wasAbandoned { throw CancellationError() }
            throw RiegelClientError.connectionFailed(reason: "\(Call.method): \(error)")
        }
    }

    /// Calls the method of `request` with `more` and streams its decoded replies.
    ///
    /// The call holds its connection until the final reply. When the consumer
    /// stops early (cancelled, or the stream is dropped), the connection is
    /// closed: riegeld's remaining replies must not reach another call.
    func stream<Call: RiegelMethodCall>(_ request: Call) -> AsyncThrowingStream<Call.Reply, any Error> {
        AsyncThrowingStream { continuation in
            let producer = Task {
                do {
                    let parameters = try Self.parameters(of: request)
                    let connection = try await acquire()
                    var complete = false
                    do {
                        for try await reply in connection.callMore(Call.method, parameters: parameters) {
                            continuation.yield(try Self.decode(Call.Reply.self, from: reply, method: Call.method))
                        }
                        // The inner stream also ends (without error) when this task is cancelled.
                        complete = !Task.isCancelled
                    } catch let error as VarlinkError {
                        release(connection, reusable: true)
                        throw RiegelClientError(error)
                    } catch {
                        release(connection, reusable: false)
                        if Task.isCancelled { throw CancellationError() }
                        if error is RiegelClientError { throw error }
                        throw RiegelClientError.connectionFailed(reason: "\(Call.method): \(error)")
                    }
                    release(connection, reusable: complete)
                    if !complete { throw CancellationError() }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { reason in
                if case .cancelled = reason { producer.cancel() }
            }
        }
    }

    /// The call's parameters as varlink JSON (optional fields left out when absent).
    /// Only an `EncodingError` can come out, and none of the request types produces one.
    static func parameters<Call: RiegelMethodCall>(of request: Call) throws -> [String: JSONValue] {
        // A request without fields may encode as nothing at all: no parameters.
        try JSONValueEncoder().encode(request).object ?? [:]
    }

    /// Decodes reply parameters; a reply that does not fit is ``RiegelClientError/malformedReply(method:detail:)``.
    static func decode<Reply: Decodable>(_ type: Reply.Type, from parameters: [String: JSONValue],
                                         method: String) throws -> Reply {
        do {
            return try JSONValueDecoder().decode(type, from: parameters)
        } catch {
            throw RiegelClientError.malformedReply(method: method, detail: "\(error)")
        }
    }
}
