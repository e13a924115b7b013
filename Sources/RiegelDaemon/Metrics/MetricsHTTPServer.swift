import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// The HTTP endpoint Prometheus scrapes (`GET /metrics`), on a socket of its
/// own: one systemd passed (`FileDescriptorName=metrics`) or one bound from
/// `[metrics] listen`.
///
/// It runs on an event loop group of its own (one thread), so a slow or
/// hostile scraper never delays a varlink call, and rendering a scrape
/// never runs on a varlink event loop. SwiftNIO's HTTP/1.1 codec serves it:
/// riegeld already links NIO, and one read-only path needs no framework.
final class MetricsHTTPServer: Sendable {
    /// Connections idle this long (no complete request) are closed.
    static let idleTimeout: TimeAmount = .seconds(10)
    /// Connections open at once; more are closed on accept, so a local flood
    /// of connections cannot use up riegeld's file descriptors.
    static let maxConnections = 16

    private let group: MultiThreadedEventLoopGroup
    private let render: @Sendable () -> [UInt8]
    private let channel: any Channel

    private init(group: MultiThreadedEventLoopGroup, render: @escaping @Sendable () -> [UInt8], channel: any Channel) {
        self.group = group
        self.render = render
        self.channel = channel
    }

    /// Serves on an already listening socket (socket activation).
    static func adopt(descriptor: CInt, render: @escaping @Sendable () -> [UInt8]) async throws -> MetricsHTTPServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            let channel = try await bootstrap(group, render).withBoundSocket(descriptor).get()
            return MetricsHTTPServer(group: group, render: render, channel: channel)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// Binds `host:port` and serves there.
    static func bind(host: String, port: Int, render: @escaping @Sendable () -> [UInt8]) async throws -> MetricsHTTPServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            let channel = try await bootstrap(group, render).bind(host: host, port: port).get()
            return MetricsHTTPServer(group: group, render: render, channel: channel)
        } catch {
            try? await group.shutdownGracefully()
            throw StartupError(message: "cannot listen for metrics on \(host):\(port) (\(error)); free the port or change [metrics] listen")
        }
    }

    private static func bootstrap(_ group: MultiThreadedEventLoopGroup,
                                  _ render: @escaping @Sendable () -> [UInt8]) -> ServerBootstrap {
        let open = OpenConnections(limit: maxConnections)
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                guard open.admit(channel) else { return channel.close() }
                return channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(IdleStateHandler(readTimeout: idleTimeout))
                    try sync.configureHTTPServerPipeline(withErrorHandling: true)
                    try sync.addHandler(MetricsHTTPHandler(render: render))
                }
            }
            .childChannelOption(.maxMessagesPerRead, value: 1)
    }

    /// Where it listens, for logs and `STATUS=`.
    var address: String {
        channel.localAddress.map { "\($0)" } ?? "metrics socket"
    }

    /// Waits until the listener is closed.
    func run() async throws {
        try await channel.closeFuture.get()
    }

    /// Stops listening (returns at once; ``run()`` then returns).
    func stopListening() {
        channel.close(promise: nil)
    }

    /// Ends the server's thread, closing every connection still open; call
    /// once, after ``run()`` returned.
    func shutdown() async {
        try? await group.shutdownGracefully()
    }
}

