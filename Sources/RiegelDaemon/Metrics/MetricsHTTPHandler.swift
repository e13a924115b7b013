import NIOCore
import NIOHTTP1

/// Answers one HTTP/1.1 connection of the metrics endpoint: `GET /metrics`
/// (and `HEAD`) get the Prometheus text exposition format, any other path
/// 404, any other method 405. Requests carry no body we read.
///
/// - Important: the body is made by `render` on this connection's event
///   loop, the metrics server's own, never the varlink server's.
final class MetricsHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// The exposition format's content type (text format 0.0.4).
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private let render: @Sendable () -> [UInt8]
    private var request: HTTPRequestHead?

    /// A handler that serves what `render` gives.
    init(render: @escaping @Sendable () -> [UInt8]) {
        self.render = render
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
        case .body:
            break
        case .end:
            guard let head = request else { return }
            request = nil
            respond(to: head, context: context)
        }
    }

    /// The status and body for a request (a pure decision, tested on its own).
    static func answer(method: HTTPMethod, uri: String) -> (status: HTTPResponseStatus, serve: Bool, allow: String?) {
        let path = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? uri
        guard path == "/metrics" else { return (.notFound, false, nil) }
        guard method == .GET || method == .HEAD else { return (.methodNotAllowed, false, "GET, HEAD") }
        return (.ok, true, nil)
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let (status, serve, allow) = Self.answer(method: head.method, uri: head.uri)
        let body: [UInt8] = serve ? render() : Array("\(status.code) \(status.reasonPhrase)\n".utf8)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: serve ? Self.contentType : "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: "\(body.count)")
        if let allow { headers.add(name: "Allow", value: allow) }
        let keepAlive = head.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))),
                      promise: nil)
        if head.method != .HEAD {
            var buffer = context.channel.allocator.buffer(capacity: body.count)
            buffer.writeBytes(body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            done.whenComplete { [channel = context.channel] _ in channel.close(promise: nil) }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // An idle connection (no request within the read timeout) is closed.
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A malformed request: NIO's HTTP server pipeline answered 400 where it could; drop the connection.
        context.close(promise: nil)
    }
}
