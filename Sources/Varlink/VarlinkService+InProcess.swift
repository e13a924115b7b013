import NIOCore

extension VarlinkService {
    /// Answers one call in process, as the server would over a socket: the same
    /// routing, authorization, parameter validation and error mapping, without
    /// a connection. For tests of a service's handlers.
    ///
    /// - Returns: the replies in order; the last one is the final reply
    ///   (intermediate replies of a streaming call come first when `more` is set).
    /// - Throws: the ``VarlinkError`` the call is answered with.
    public func answer(_ qualifiedMethod: String, _ parameters: [String: JSONValue] = [:], more: Bool = false,
                       peer: PeerCredentials) async throws(VarlinkError) -> [[String: JSONValue]] {
        var envelope = VarlinkCallEnvelope()
        envelope.method = .string(qualifiedMethod)
        envelope.parameters = .object(parameters)
        envelope.more = .bool(more)
        let route: VarlinkRoute
        do {
            route = try self.route(envelope, peer: peer).1
        } catch {
            throw .invalidParameter("method")
        }
        switch route {
        case .reply(let reply):
            return [reply]
        case .failure(let error):
            throw error
        case .handler(let call, let handler):
            do {
                return try await run(handler, call)
            } catch let error as VarlinkError {
                throw error
            } catch {
                throw mapError(error)
            }
        }
    }

    private func run(_ handler: VarlinkMethodHandler, _ call: VarlinkCall) async throws -> [[String: JSONValue]] {
        switch handler {
        case .immediate(let body):
            do {
                return [try body(call)]
            } catch let continuation as VarlinkContinueInTask {
                return [try await continuation.operation()]
            }
        case .immediateWriting(let body):
            var writer = JSONObjectWriter(buffer: ByteBuffer())
            do {
                try body(call, &writer)
            } catch let continuation as VarlinkContinueInTask {
                return [try await continuation.operation()]
            }
            guard case .object(let reply) = try JSONValue.parse(writer.finish()) else { return [[:]] }
            return [reply]
        case .async(let body):
            return [try await body(call)]
        case .streaming(_, let body):
            let replies = LockedState<[[String: JSONValue]]>([])
            let final = try await body(call, VarlinkReplySink { reply in
                if call.more { replies.withLock { $0.append(reply) } }
            })
            return replies.withLock { $0 } + [final]
        }
    }
}
