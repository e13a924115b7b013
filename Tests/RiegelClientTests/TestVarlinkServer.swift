import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RiegelRPC
import Varlink

/// A varlink server in the test process serving riegel's real IDL (so it
/// validates every call as riegeld does) with the test's handlers: methods
/// without one answer `MethodNotImplemented`.
final class TestVarlinkServer: Sendable {
    let socketPath: String
    private let directory: URL
    private let server: VarlinkServer
    private let running: Task<Void, any Error>

    private init(directory: URL, socketPath: String, server: VarlinkServer, running: Task<Void, any Error>) {
        self.directory = directory
        self.socketPath = socketPath
        self.server = server
        self.running = running
    }

    /// Starts a server at a fresh socket path (or `socketPath`), handlers by interface and unqualified method.
    static func start(at socketPath: String? = nil, idleTimeout: TimeAmount? = nil,
                      _ handlers: [String: [String: VarlinkMethodHandler]]) async throws -> TestVarlinkServer {
        let directory: URL
        let path: String
        if let socketPath {
            path = socketPath
            directory = URL(fileURLWithPath: socketPath).deletingLastPathComponent()
        } else {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("riegel-client-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            path = directory.appendingPathComponent("s.sock").path
        }
        var service = VarlinkService(vendor: "test", product: "riegel-client-tests", version: "0", url: "")
        for idl in [RiegelIDL.auth, RiegelIDL.admin, RiegelIDL.audit] {
            let name = try VarlinkIDL.parse(idl).name
            try service.register(interfaceDescription: idl, methods: handlers[name] ?? [:])
        }
        var logger = Logger(label: "test-varlink-server")
        logger.logLevel = .critical
        let server = VarlinkServer(service: service, group: MultiThreadedEventLoopGroup.singleton,
                                   configuration: .init(idleTimeout: idleTimeout, shutdownGracePeriod: .milliseconds(100)),
                                   logger: logger)
        try await server.bind(unixPath: path, mode: 0o600)
        let running = Task { try await server.run() }
        return TestVarlinkServer(directory: directory, socketPath: path, server: server, running: running)
    }

    /// Stops serving and closes every connection.
    func stop() async {
        server.shutdown()
        _ = try? await running.value
    }

    /// Stops and removes the socket's directory.
    func remove() async {
        await stop()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// A gate handlers wait at until the test opens it; counts who arrived.
final class Gate: Sendable {
    private let state = NIOLockedValueBox<(open: Bool, arrived: Int, waiting: [CheckedContinuation<Void, Never>])>(
        (false, 0, []))

    /// How many calls reached the gate.
    var arrived: Int { state.withLockedValue { $0.arrived } }

    /// Waits until the gate opens (returns at once if it is open).
    func pass() async {
        await withCheckedContinuation { continuation in
            let open = state.withLockedValue { state -> Bool in
                state.arrived += 1
                if state.open { return true }
                state.waiting.append(continuation)
                return false
            }
            if open { continuation.resume() }
        }
    }

    /// Lets every waiting and later call through.
    func open() {
        let waiting = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            state.open = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }

    /// Waits (polling) until `count` calls reached the gate.
    func waitForArrivals(_ count: Int, timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + timeout
        while arrived < count {
            guard ContinuousClock.now < deadline else {
                throw TestTimeout(message: "only \(arrived) of \(count) calls reached the gate")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}

/// A test waited too long.
struct TestTimeout: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// A `CheckSession` reply as riegeld sends it, for `token`.
func sessionInfoReply(_ token: String) -> [String: JSONValue] {
    ["info": [
        "session_id": .string("session-of-\(token)"), "user_id": "u1", "username": "alice", "assurance": "password",
        "authenticated_at": "2026-12-06T09:00:00Z", "idle_expires_at": "2026-12-06T09:15:00Z",
        "expires_at": "2026-12-06T21:00:00Z",
    ]]
}
