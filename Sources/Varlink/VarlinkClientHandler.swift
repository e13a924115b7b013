import NIOCore

/// A call on its way out, with where its reply should go (`nil` for oneway).
struct VarlinkClientRequest {
    var message: ByteBuffer
    var reply: VarlinkPendingReply?
}

/// Where the replies to one call are delivered.
enum VarlinkPendingReply {
    /// A single reply.
    case single(EventLoopPromise<[String: JSONValue]>)
    /// Replies of a `more` call, until one without `continues`.
    case stream(AsyncThrowingStream<[String: JSONValue], any Error>.Continuation)

    func fail(_ error: any Error) {
        switch self {
        case .single(let promise): promise.fail(error)
        case .stream(let continuation): continuation.finish(throwing: error)
        }
    }
}

/// Matches replies to calls in order (varlink replies come in call order).
final class VarlinkClientHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = VarlinkClientRequest
    typealias OutboundOut = ByteBuffer

    private var pending = CircularBuffer<VarlinkPendingReply>()
    private var closedError: (any Error)?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if let closedError {
            request.reply?.fail(closedError)
            promise?.fail(closedError)
            return
        }
        if let reply = request.reply { pending.append(reply) }
        context.write(wrapOutboundOut(request.message), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        do {
            try deliver(JSONValue.parse(frame))
        } catch {
            failAll(error)
            context.close(promise: nil)
        }
    }

    private func deliver(_ message: JSONValue) throws {
        guard case .object(let members) = message else {
            throw VarlinkClientError(message: "server sent a reply that is not a JSON object")
        }
        guard let reply = pending.first else {
            throw VarlinkClientError(message: "server sent a reply nobody waits for")
        }
        let parameters = members["parameters"]?.object ?? [:]
        if case .string(let name)? = members["error"] {
            pending.removeFirst()
            reply.fail(VarlinkError(name: name, parameters: parameters))
            return
        }
        let continues = members["continues"]?.bool ?? false
        switch reply {
        case .single(let promise):
            pending.removeFirst()
            guard !continues else {
                let error = VarlinkClientError(message: "server sent 'continues' to a call without 'more'")
                promise.fail(error)
                throw error
            }
            promise.succeed(parameters)
        case .stream(let continuation):
            continuation.yield(parameters)
            if !continues {
                pending.removeFirst()
                continuation.finish()
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(VarlinkClientError(message: "connection closed by the server"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(error)
        context.close(promise: nil)
    }

    private func failAll(_ error: any Error) {
        if closedError == nil { closedError = error }
        while let reply = pending.popFirst() { reply.fail(error) }
    }
}

/// A client-side protocol or connection problem.
public struct VarlinkClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public var message: String

    /// Creates the error with a message.
    public init(message: String) {
        self.message = message
    }
    /// The message.
    public var description: String { message }
}
