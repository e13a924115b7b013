import NIOCore
import NIOPosix

/// A varlink client on one Unix-socket connection. Calls may be pipelined;
/// replies are matched to calls in order.
public final class VarlinkClient: Sendable {
    private let channel: any Channel

    private init(channel: any Channel) {
        self.channel = channel
    }

    /// Connects to `unix:/path` (parameters after `;` are ignored) or a plain socket path.
    public static func connect(to address: String, group: any EventLoopGroup,
                               maxMessageSize: Int = 16 << 20) async throws -> VarlinkClient {
        var path = Substring(address)
        if path.hasPrefix("unix:") { path = path.dropFirst(5) }
        if let semicolon = path.firstIndex(of: ";") { path = path[..<semicolon] }
        guard path.hasPrefix("/") || path.hasPrefix(".") || !path.contains(":") else {
            throw VarlinkClientError(message: "unsupported varlink address '\(address)': use unix:/path/to/socket")
        }
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(VarlinkFrameDecoder(maxMessageSize: maxMessageSize)))
                    try channel.pipeline.syncOperations.addHandler(VarlinkClientHandler())
                }
            }
            .connect(unixDomainSocketPath: String(path)).get()
        return VarlinkClient(channel: channel)
    }

    /// Whether the connection is still open: false once either side closed it
    /// (a server closes connections idle past its timeout).
    public var isActive: Bool { channel.isActive }

    /// Calls a method and returns the reply parameters; an error reply throws ``VarlinkError``.
    public func call(_ qualifiedMethod: String, parameters: [String: JSONValue] = [:]) async throws -> [String: JSONValue] {
        let promise = channel.eventLoop.makePromise(of: [String: JSONValue].self)
        let request = VarlinkClientRequest(message: encode(qualifiedMethod, parameters, flag: nil), reply: .single(promise))
        channel.writeAndFlush(request).whenFailure { promise.fail($0) }
        return try await promise.futureResult.get()
    }

    /// Calls a method with `more: true` and streams every reply until the final one.
    public func callMore(_ qualifiedMethod: String,
                         parameters: [String: JSONValue] = [:]) -> AsyncThrowingStream<[String: JSONValue], any Error> {
        AsyncThrowingStream { continuation in
            let request = VarlinkClientRequest(message: encode(qualifiedMethod, parameters, flag: "more"),
                                               reply: .stream(continuation))
            channel.writeAndFlush(request).whenFailure { continuation.finish(throwing: $0) }
        }
    }

    /// Calls a method with `oneway: true`: the server sends no reply; returns once sent.
    public func callOneway(_ qualifiedMethod: String, parameters: [String: JSONValue] = [:]) async throws {
        let request = VarlinkClientRequest(message: encode(qualifiedMethod, parameters, flag: "oneway"), reply: nil)
        try await channel.writeAndFlush(request).get()
    }

    /// Closes the connection; calls still waiting fail.
    public func close() async throws {
        do {
            try await channel.close()
        } catch ChannelError.alreadyClosed {
            // Already closed by the server: nothing to do.
        }
    }

    /// Encodes a call, leaving out empty parameters and false flags (reference servers compare whole calls).
    private func encode(_ method: String, _ parameters: [String: JSONValue], flag: StaticString?) -> ByteBuffer {
        var buffer = channel.allocator.buffer(capacity: 128)
        buffer.writeStaticString("{\"method\":")
        buffer.appendJSONString(method)
        if !parameters.isEmpty {
            buffer.writeStaticString(",\"parameters\":")
            buffer.writeJSONObject(parameters)
        }
        if let flag {
            buffer.writeStaticString(",\"")
            buffer.writeStaticString(flag)
            buffer.writeStaticString("\":true")
        }
        buffer.writeStaticString("}\0")
        return buffer
    }
}
