#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import NIOCore
import NIOPosix

/// A varlink server on a Unix socket, serving one ``VarlinkService``.
///
/// Start it with ``bind(unixPath:mode:)`` or ``adopt(listeningSocket:)``, then await
/// ``run()``; it returns after a graceful stop triggered by ``shutdown()`` or by
/// cancelling the task running it (so it fits swift-service-lifecycle's `Service`).
public final class VarlinkServer: Sendable {
    /// Limits of a server.
    public struct Configuration: Sendable {
        /// Largest accepted message in bytes (without the NUL); larger ones close the connection.
        public var maxMessageSize: Int
        /// Most concurrent connections; further ones are closed at once.
        public var maxConnections: Int
        /// A connection without any call in flight for this long is closed; `nil` disables.
        public var idleTimeout: TimeAmount?
        /// After ``VarlinkServer/shutdown()``, connections whose calls have not finished within
        /// this time are closed without reply; `nil` waits forever.
        public var shutdownGracePeriod: TimeAmount?

        /// Creates a configuration (defaults: 1 MiB, 1024 connections, 60 s idle, 10 s shutdown grace).
        public init(maxMessageSize: Int = 1 << 20, maxConnections: Int = 1024, idleTimeout: TimeAmount? = .seconds(60),
                    shutdownGracePeriod: TimeAmount? = .seconds(10)) {
            self.maxMessageSize = maxMessageSize
            self.maxConnections = maxConnections
            self.idleTimeout = idleTimeout
            self.shutdownGracePeriod = shutdownGracePeriod
        }
    }

    private struct State {
        var serverChannel: (any Channel)?
        var connections: [ObjectIdentifier: any Channel] = [:]
        var shuttingDown = false
        var listenerClosed = false
        var finishedSignalled = false
    }

    private let service: VarlinkService
    private let group: any EventLoopGroup
    private let configuration: Configuration
    private let logger: Logger
    private let state = LockedState(State())
    private let finished: EventLoopPromise<Void>

    /// Creates a server; it does not listen until bound or given a socket.
    public init(service: VarlinkService, group: any EventLoopGroup, configuration: Configuration = .init(), logger: Logger) {
        self.service = service
        self.group = group
        self.configuration = configuration
        self.logger = logger
        self.finished = group.next().makePromise(of: Void.self)
    }

    /// Listens on a Unix socket at `path`, replacing a stale socket file, and sets its mode.
    public func bind(unixPath: String, mode: mode_t = 0o660) async throws {
        let channel = try await makeBootstrap().bind(unixDomainSocketPath: unixPath, cleanupExistingSocketFile: true).get()
        guard chmod(unixPath, mode) == 0 else {
            let code = errno
            try? await channel.close()
            throw VarlinkServerError(message: "cannot set mode \(String(mode, radix: 8)) on \(unixPath): errno \(code); "
                                     + "check that the directory belongs to this user")
        }
        try await adoptChannel(channel)
    }

    /// Serves on an already bound and listening socket (systemd socket activation: fd 3...).
    public func adopt(listeningSocket descriptor: CInt) async throws {
        let channel = try await makeBootstrap().withBoundSocket(descriptor).get()
        try await adoptChannel(channel)
    }

    /// Waits until the server has stopped: the listener closed and every connection finished.
    /// Cancelling the waiting task starts a graceful ``shutdown()``.
    public func run() async throws {
        try await withTaskCancellationHandler {
            try await finished.futureResult.get()
        } onCancel: {
            self.shutdown()
        }
    }

    /// Stops gracefully: stops accepting, lets every connection finish its in-flight and
    /// already received calls and reply, then closes them; connections still busy after
    /// `shutdownGracePeriod` are closed anyway. Returns at once; await ``run()``.
    public func shutdown() {
        let (listener, connections, first) = state.withLock { state -> ((any Channel)?, [any Channel], Bool) in
            guard !state.shuttingDown else { return (nil, [], false) }
            state.shuttingDown = true
            return (state.serverChannel, Array(state.connections.values), true)
        }
        guard first else { return }
        listener?.close(promise: nil)
        for connection in connections {
            connection.pipeline.fireUserInboundEventTriggered(VarlinkQuiesceEvent())
        }
        if let grace = configuration.shutdownGracePeriod {
            group.next().scheduleTask(in: grace) { self.closeRemainingConnections() }
        }
        checkFinished()
    }

    private func closeRemainingConnections() {
        let remaining = state.withLock { Array($0.connections.values) }
        if !remaining.isEmpty {
            logger.warning("closing varlink connections with calls still running after the shutdown grace period",
                           metadata: ["connections": "\(remaining.count)"])
        }
        for connection in remaining { connection.close(promise: nil) }
    }

    private func adoptChannel(_ channel: any Channel) async throws {
        let accepted = state.withLock { state -> Bool in
            guard !state.shuttingDown, state.serverChannel == nil else { return false }
            state.serverChannel = channel
            return true
        }
        guard accepted else {
            try? await channel.close()
            throw VarlinkServerError(message: "server is already listening or shutting down; use one VarlinkServer per socket")
        }
        channel.closeFuture.whenComplete { _ in
            self.state.withLock { $0.listenerClosed = true }
            self.checkFinished()
        }
    }

    private func checkFinished() {
        let done = state.withLock { state -> Bool in
            guard !state.finishedSignalled, state.shuttingDown,
                  state.serverChannel == nil || state.listenerClosed, state.connections.isEmpty else { return false }
            state.finishedSignalled = true
            return true
        }
        if done { finished.succeed(()) }
    }

    private func makeBootstrap() -> ServerBootstrap {
        ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .childChannelInitializer { channel in self.initialize(connection: channel) }
    }

    private func initialize(connection channel: any Channel) -> EventLoopFuture<Void> {
        let id = ObjectIdentifier(channel)
        let admitted = state.withLock { state -> Bool in
            guard !state.shuttingDown, state.connections.count < configuration.maxConnections else { return false }
            state.connections[id] = channel
            return true
        }
        guard admitted else {
            logger.warning("refusing varlink connection", metadata: ["limit": "\(configuration.maxConnections)"])
            return channel.eventLoop.makeFailedFuture(VarlinkServerError(message: "too many connections"))
        }
        channel.closeFuture.whenComplete { _ in
            self.state.withLock { _ = $0.connections.removeValue(forKey: id) }
            self.checkFinished()
        }
        return Self.peerCredentials(of: channel).flatMapThrowing { peer in
            var logger = self.logger
            logger[metadataKey: "peer.uid"] = "\(peer.uid)"
            // One handler: it splits messages itself (no ByteToMessageHandler hop per call) and
            // tracks idleness itself (it knows when calls are in flight), which spares every
            // reply the write-completion promise an IdleStateHandler needs.
            try channel.pipeline.syncOperations.addHandler(VarlinkServerConnectionHandler(
                service: self.service, peer: peer, maxMessageSize: self.configuration.maxMessageSize,
                idleTimeout: self.configuration.idleTimeout, logger: logger))
        }
    }

    /// Reads `SO_PEERCRED`; `.unknown` if the channel is not a Unix socket.
    static func peerCredentials(of channel: any Channel) -> EventLoopFuture<PeerCredentials> {
        #if os(Linux)
        guard let provider = channel as? any SocketOptionProvider else {
            return channel.eventLoop.makeSucceededFuture(.unknown)
        }
        let future: EventLoopFuture<UnixPeerCredentials> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        return future
            .map { PeerCredentials(pid: $0.pid, uid: $0.uid, gid: $0.gid) }
            .recover { _ in .unknown }
        #else
        return channel.eventLoop.makeSucceededFuture(.unknown)
        #endif
    }
}

/// Laid out like Linux's `struct ucred { pid_t pid; uid_t uid; gid_t gid; }` (Glibc does not export it).
struct UnixPeerCredentials: Sendable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}

/// A server set-up problem, with how to fix it.
public struct VarlinkServerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong and how to fix it.
    public var message: String

    /// Creates the error with a message.
    public init(message: String) {
        self.message = message
    }
    /// The message.
    public var description: String { message }
}
