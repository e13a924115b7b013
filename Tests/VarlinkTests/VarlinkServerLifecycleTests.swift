#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import NIOPosix
import Varlink
import XCTest

/// Socket activation and stopping by task cancellation.
final class VarlinkServerLifecycleTests: XCTestCase {
    private func makeServer() throws -> VarlinkServer {
        var service = VarlinkService(vendor: "v", product: "p", version: "1", url: "u")
        try service.register(interfaceDescription: "interface org.example.mini\nmethod Ping() -> (pong: bool)",
                             methods: ["Ping": .immediate { _ in ["pong": true] }])
        var logger = Logger(label: "varlink-lifecycle-test")
        logger.logLevel = .critical
        return VarlinkServer(service: service, group: MultiThreadedEventLoopGroup.singleton, logger: logger)
    }

    /// Binds and listens like systemd does before handing the fd over.
    private func listeningSocket(at path: String) throws -> CInt {
        let fd = socket(AF_UNIX, CInt(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else { throw POSIXError(errno: errno) }
        return fd
    }

    func testAdoptedListeningSocketServesCalls() async throws {
        let path = NSTemporaryDirectory() + "varlink-adopt-\(getpid())-\(UUID().uuidString.prefix(6)).sock"
        defer { unlink(path) }
        let server = try makeServer()
        try await server.adopt(listeningSocket: try listeningSocket(at: path))
        let running = Task { try await server.run() }
        let socket = try RawVarlinkSocket(path: path)
        XCTAssertEqual(socket.call(#"{"method":"org.example.mini.Ping"}"#), ["parameters": ["pong": true]])
        server.shutdown()
        try await running.value
    }

    func testCancellingRunStopsTheServerGracefully() async throws {
        let path = NSTemporaryDirectory() + "varlink-cancel-\(getpid())-\(UUID().uuidString.prefix(6)).sock"
        defer { unlink(path) }
        let server = try makeServer()
        try await server.bind(unixPath: path)
        let running = Task { try await server.run() }
        let socket = try RawVarlinkSocket(path: path)
        XCTAssertEqual(socket.call(#"{"method":"org.example.mini.Ping"}"#), ["parameters": ["pong": true]])
        running.cancel()
        try await running.value
        XCTAssertEqual(socket.read(), .closed, "idle connections are closed on shutdown")
        XCTAssertThrowsError(try RawVarlinkSocket(path: path), "no longer accepting")
    }

    func testRegisteringAHandlerForAnUndeclaredMethodFailsWithAHint() {
        var service = VarlinkService(vendor: "v", product: "p", version: "1", url: "u")
        XCTAssertThrowsError(try service.register(interfaceDescription: "interface org.example.mini\nmethod Ping() -> ()",
                                                  methods: ["Pong": .immediate { _ in [:] }])) { error in
            XCTAssertTrue("\(error)".contains("declare it in the IDL"), "\(error)")
        }
        XCTAssertThrowsError(try service.register(interfaceDescription: "interface broken", methods: [:])) { error in
            XCTAssertEqual((error as? VarlinkIDLError)?.line, 1)
        }
    }
}
