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
        /// Most concurrent connections from one peer uid, so one user cannot take every
        /// slot; further ones from that uid are closed at once. `nil`: no per-uid share.
        public var maxConnectionsPerUID: Int?
        /// A connection without any call in flight for this long is closed; `nil` disables.
        public var idleTimeout: TimeAmount?
        /// A connection whose peer does not read its replies (the outgoing buffer stays above
        /// its high-water mark) for this long is closed, even with calls waiting; `nil` disables.
        public var writeStallTimeout: TimeAmount?
        /// After ``VarlinkServer/shutdown()``, connections whose calls have not finished within
        /// this time are closed without reply; `nil` waits forever.
        public var shutdownGracePeriod: TimeAmount?
        /// Calls received on one connection and waiting for their turn (replies come in call
        /// order); at this many the server stops reading from it until it catches up.
        public var maxPendingCalls: Int
        /// A message whose first byte arrived this long ago and whose NUL has not (a slow
        /// sender: slowloris) closes the connection; time while the server itself is not
        /// reading does not count. `nil` disables.
        public var messageTimeout: TimeAmount?
        /// Where `async` and `streaming` handlers (and immediate ones that continue
        /// in a task) run: a pool whose threads may block on synchronous I/O
        /// (``ThreadPoolTaskExecutor``). `nil`: Swift's cooperative pool, which
        /// must never block.
        public var handlerExecutor: (any TaskExecutor)?

        /// Creates a configuration (defaults: 1 MiB, 1024 connections, no per-uid share,
        /// 60 s idle, 30 s write stall, 10 s shutdown grace, 64 pending calls, 10 s per message).
        public init(maxMessageSize: Int = 1 << 20, maxConnections: Int = 1024, maxConnectionsPerUID: Int? = nil,
                    idleTimeout: TimeAmount? = .seconds(60), writeStallTimeout: TimeAmount? = .seconds(30),
                    shutdownGracePeriod: TimeAmount? = .seconds(10), maxPendingCalls: Int = 64,
                    messageTimeout: TimeAmount? = .seconds(10), handlerExecutor: (any TaskExecutor)? = nil) {
            self.maxMessageSize = maxMessageSize
            self.maxConnections = maxConnections
            self.maxConnectionsPerUID = maxConnectionsPerUID
            self.idleTimeout = idleTimeout
            self.writeStallTimeout = writeStallTimeout
            self.shutdownGracePeriod = shutdownGracePeriod
            self.maxPendingCalls = max(1, maxPendingCalls)
            self.messageTimeout = messageTimeout
            self.handlerExecutor = handlerExecutor
        }
    }

    /// Outgoing bytes buffered per connection above which it counts as not writable:
    /// no further call is processed and nothing more is read until the peer catches up.
    static let writeBufferWaterMark = ChannelOptions.Types.WriteBufferWaterMark(low: 32 * 1024, high: 64 * 1024)
    /// Refused connections are logged at most this often (with the count refused since).
    static let refusalLogInterval = TimeAmount.seconds(10)

    private struct State {
        var serverChannel: (any Channel)?
        var connections: [ObjectIdentifier: any Channel] = [:]
        var connectionsPerUID: [UInt32: Int] = [:]
        var refusals = RefusalLog()
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
            .childChannelOption(ChannelOptions.writeBufferWaterMark, value: Self.writeBufferWaterMark)
            .childChannelInitializer { channel in self.initialize(connection: channel) }
    }

    /// Admits a new connection (or refuses it) by its peer's credentials, then installs its handler.
    /// A refused connection is closed before anything is read from it.
    func initialize(connection channel: any Channel) -> EventLoopFuture<Void> {
        Self.peerCredentials(of: channel).flatMapError { error in
            self.refuse(channel, reason: "cannot read the peer's credentials (SO_PEERCRED)", uid: nil)
            return channel.eventLoop.makeFailedFuture(error)
        }.flatMapThrowing { peer in
            try self.admit(channel, peer: peer)
            var logger = self.logger
            logger[metadataKey: "peer.uid"] = "\(peer.uid)"
            // One handler: it splits messages itself (no ByteToMessageHandler hop per call) and
            // tracks idleness itself (it knows when calls are in flight), which spares every
            // reply the write-completion promise an IdleStateHandler needs.
            try channel.pipeline.syncOperations.addHandler(VarlinkServerConnectionHandler(
                service: self.service, peer: peer, maxMessageSize: self.configuration.maxMessageSize,
                maxPendingCalls: self.configuration.maxPendingCalls,
                idleTimeout: self.configuration.idleTimeout, writeStallTimeout: self.configuration.writeStallTimeout,
                messageTimeout: self.configuration.messageTimeout,
                handlerExecutor: self.configuration.handlerExecutor, logger: logger))
        }
    }

    /// Counts the connection against the global limit and its uid's share, or throws (refused).
    private func admit(_ channel: any Channel, peer: PeerCredentials) throws {
        let id = ObjectIdentifier(channel)
        let refusal = state.withLock { state -> String? in
            if state.shuttingDown { return "shutting down" }
            if state.connections.count >= configuration.maxConnections { return "too many connections" }
            let fromUID = state.connectionsPerUID[peer.uid, default: 0]
            if let share = configuration.maxConnectionsPerUID, fromUID >= share {
                return "too many connections from this uid"
            }
            state.connections[id] = channel
            state.connectionsPerUID[peer.uid] = fromUID + 1
            return nil
        }
        if let refusal {
            refuse(channel, reason: refusal, uid: peer.uid)
            throw VarlinkServerError(message: refusal)
        }
        channel.closeFuture.whenComplete { _ in
            self.state.withLock { state in
                guard state.connections.removeValue(forKey: id) != nil else { return }
                let left = state.connectionsPerUID[peer.uid, default: 1] - 1
                state.connectionsPerUID[peer.uid] = left > 0 ? left : nil
            }
            self.checkFinished()
        }
    }

    /// Logs a refused connection, at most once per ``refusalLogInterval`` (with how many were
    /// refused since), so a peer hammering the socket cannot flood the log. The caller closes it.
    private func refuse(_ channel: any Channel, reason: String, uid: UInt32?) {
        let now = NIODeadline.now()
        let report = state.withLock { $0.refusals.note(at: now, interval: Self.refusalLogInterval) }
        guard let refusedSinceLastReport = report else { return }
        var metadata: Logger.Metadata = [
            "reason": "\(reason)", "max_connections": "\(configuration.maxConnections)",
            "refused": "\(refusedSinceLastReport)",
        ]
        if let share = configuration.maxConnectionsPerUID { metadata["max_connections_per_uid"] = "\(share)" }
        if let uid { metadata["peer.uid"] = "\(uid)" }
        logger.warning("refusing varlink connections", metadata: metadata)
    }

    /// Reads `SO_PEERCRED`, and `SO_PEERGROUPS` for the peer's real supplementary groups.
    /// Fails if the channel is not a Unix socket or the kernel does not say who the peer is:
    /// a peer nobody can name is refused, never served under a made-up uid. Groups the kernel
    /// cannot give (more than ``UnixPeerGroups/capacity``) are left nil.
    static func peerCredentials(of channel: any Channel) -> EventLoopFuture<PeerCredentials> {
        #if os(Linux)
        guard let provider = channel as? any SocketOptionProvider else {
            return channel.eventLoop.makeFailedFuture(
                VarlinkServerError(message: "the connection is not a socket; peer credentials are unknown"))
        }
        let credentials: EventLoopFuture<UnixPeerCredentials> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        return credentials.flatMap { ucred in
            let groups: EventLoopFuture<UnixPeerGroups> = provider.unsafeGetSocketOption(
                level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(Self.soPeerGroups))
            return groups
                .map { PeerCredentials(pid: ucred.pid, uid: ucred.uid, gid: ucred.gid, groups: $0.groups) }
                .recover { _ in PeerCredentials(pid: ucred.pid, uid: ucred.uid, gid: ucred.gid, groups: nil) }
        }
        #else
        return channel.eventLoop.makeFailedFuture(
            VarlinkServerError(message: "peer credentials are read on Linux only; the peer is unknown"))
        #endif
    }
}

extension VarlinkServer {
    /// `SO_PEERGROUPS` (Linux 4.13), which Glibc's headers may not name.
    static let soPeerGroups: CInt = 59
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
