import NIOConcurrencyHelpers
import NIOCore
@testable import RiegelClient
import Varlink
import XCTest

/// Connection reuse, the connection limit, broken connections and
/// cancellation, against a varlink server in the test process that serves
/// riegel's IDL and whose `CheckSession` waits at a gate for token "slow".
final class ConnectionPoolTests: XCTestCase {
    private var server: TestVarlinkServer!
    private let gate = Gate()
    /// The most `CheckSession` calls the server ran at once.
    private let concurrency = NIOLockedValueBox((now: 0, most: 0))

    override func setUp() async throws {
        server = try await startServer()
    }

    override func tearDown() async throws {
        gate.open()
        await server.remove()
    }

    private func startServer(at path: String? = nil, idleTimeout: TimeAmount? = nil) async throws -> TestVarlinkServer {
        let gate = self.gate
        let concurrency = self.concurrency
        return try await TestVarlinkServer.start(at: path, idleTimeout: idleTimeout, ["io.riegel.Auth": [
            "CheckSession": .async { call in
                let token = call["token"]?.string ?? ""
                concurrency.withLockedValue { $0.now += 1; $0.most = max($0.most, $0.now) }
                defer { concurrency.withLockedValue { $0.now -= 1 } }
                if token.hasPrefix("slow") { await gate.pass() }
                if token == "expired" {
                    throw VarlinkError(name: "io.riegel.Auth.SessionExpired", parameters: ["reason": "idle"])
                }
                return sessionInfoReply(token)
            },
        ]])
    }

    func testSequentialCallsReuseOneConnection() async throws {
        let client = RiegelClient(socketPath: server.socketPath)
        for i in 0..<10 {
            let reply = try await client.auth.checkSession(token: "t\(i)")
            XCTAssertEqual(reply.info.sessionId, "session-of-t\(i)")
        }
        XCTAssertEqual(client.pool.openConnections, 1)
        // An error reply is a complete answer: the connection stays in use.
        await XCTAssertThrowsErrorAsync(try await client.auth.checkSession(token: "expired")) {
            XCTAssertEqual($0 as? RiegelClientError, .sessionExpired(reason: .idle))
        }
        _ = try await client.auth.checkSession(token: "after")
        XCTAssertEqual(client.pool.openConnections, 1)
        await client.close()
    }

    func testConcurrentCallsUseAtMostMaxConnections() async throws {
        let client = RiegelClient(socketPath: server.socketPath, maxConnections: 2)
        try await withThrowingTaskGroup(of: String.self) { group in
            for i in 0..<6 {
                group.addTask { try await client.auth.checkSession(token: "slow\(i)").info.sessionId }
            }
            // Two calls run (one per connection), four wait for a connection.
            try await gate.waitForArrivals(2)
            try await Task.sleep(for: .milliseconds(100))
            XCTAssertEqual(gate.arrived, 2)
            gate.open()
            var answered: Set<String> = []
            for try await id in group { answered.insert(id) }
            // Each caller got its own reply, not another call's.
            XCTAssertEqual(answered, Set((0..<6).map { "session-of-slow\($0)" }))
        }
        XCTAssertEqual(concurrency.withLockedValue { $0.most }, 2)
        XCTAssertEqual(client.pool.openConnections, 2)
        await client.close()
    }

    func testCancelledCallThrowsCancellationErrorAndItsConnectionIsClosed() async throws {
        let client = RiegelClient(socketPath: server.socketPath, maxConnections: 1)
        _ = try await client.auth.checkSession(token: "warm")
        let slow = Task { try await client.auth.checkSession(token: "slow") }
        try await gate.waitForArrivals(1)
        let started = ContinuousClock.now
        slow.cancel()
        do {
            _ = try await slow.value
            XCTFail("a cancelled call returned")
        } catch {
            XCTAssertTrue(error is CancellationError, "got \(error)")
        }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(2), "cancellation waited for the server")
        XCTAssertEqual(client.pool.openConnections, 0, "a connection with an abandoned call was kept")
        // The next call gets a new connection and its own reply; then the server
        // answers the abandoned call, into a closed connection.
        let next = try await client.auth.checkSession(token: "next")
        XCTAssertEqual(next.info.sessionId, "session-of-next")
        gate.open()
        let after = try await client.auth.checkSession(token: "after")
        XCTAssertEqual(after.info.sessionId, "session-of-after")
        XCTAssertEqual(client.pool.openConnections, 1)
        await client.close()
    }

    func testCancelledCallWaitingForAConnectionThrowsCancellationError() async throws {
        let client = RiegelClient(socketPath: server.socketPath, maxConnections: 1)
        let busy = Task { try await client.auth.checkSession(token: "slow-busy") }
        try await gate.waitForArrivals(1)
        let waiting = Task { try await client.auth.checkSession(token: "queued") }
        try await Task.sleep(for: .milliseconds(50))
        waiting.cancel()
        do {
            _ = try await waiting.value
            XCTFail("a cancelled call returned")
        } catch {
            XCTAssertTrue(error is CancellationError, "got \(error)")
        }
        gate.open()
        let reply = try await busy.value
        XCTAssertEqual(reply.info.sessionId, "session-of-slow-busy")
        XCTAssertEqual(client.pool.openConnections, 1)
        await client.close()
    }

    func testAlreadyCancelledTaskSendsNothing() async throws {
        let client = RiegelClient(socketPath: server.socketPath)
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await client.auth.checkSession(token: "slow-never-sent")
        }
        do {
            _ = try await task.value
            XCTFail("a cancelled call returned")
        } catch {
            XCTAssertTrue(error is CancellationError, "got \(error)")
        }
        XCTAssertEqual(gate.arrived, 0)
        await client.close()
    }

    func testConnectionClosedByTheServerIsReplacedOnTheNextCall() async throws {
        let path = server.socketPath
        let client = RiegelClient(socketPath: path)
        _ = try await client.auth.checkSession(token: "before")
        await server.stop()
        // While nothing listens: a connection failure, typed.
        await XCTAssertThrowsErrorAsync(try await client.auth.checkSession(token: "down")) {
            guard case .connectionFailed? = $0 as? RiegelClientError else { return XCTFail("got \($0)") }
        }
        server = try await startServer(at: path)
        let reply = try await client.auth.checkSession(token: "again")
        XCTAssertEqual(reply.info.sessionId, "session-of-again")
        XCTAssertEqual(client.pool.openConnections, 1)
        await client.close()
    }

    func testConnectionTheServerClosedWhenIdleIsNotUsed() async throws {
        await server.stop()
        server = try await startServer(at: server.socketPath, idleTimeout: .milliseconds(100))
        let client = RiegelClient(socketPath: server.socketPath)
        _ = try await client.auth.checkSession(token: "first")
        try await Task.sleep(for: .milliseconds(400))
        let reply = try await client.auth.checkSession(token: "later")
        XCTAssertEqual(reply.info.sessionId, "session-of-later")
        await client.close()
    }

    func testCloseEndsCallsInFlightAndLaterCalls() async throws {
        let client = RiegelClient(socketPath: server.socketPath)
        let slow = Task { try await client.auth.checkSession(token: "slow") }
        try await gate.waitForArrivals(1)
        await client.close()
        await XCTAssertThrowsErrorAsync(try await slow.value) {
            guard case .connectionFailed? = $0 as? RiegelClientError else { return XCTFail("got \($0)") }
        }
        await XCTAssertThrowsErrorAsync(try await client.auth.checkSession(token: "after-close")) {
            guard case .connectionFailed? = $0 as? RiegelClientError else { return XCTFail("got \($0)") }
        }
        XCTAssertEqual(client.pool.openConnections, 0)
    }

    func testMethodTheServerDoesNotImplementIsATypedError() async throws {
        let client = RiegelClient(socketPath: server.socketPath)
        await XCTAssertThrowsErrorAsync(try await client.auth.logout(token: "t")) {
            XCTAssertEqual($0 as? RiegelClientError, .methodNotImplemented(method: "io.riegel.Auth.Logout"))
        }
        await client.close()
    }
}

/// `XCTAssertThrowsError` for async expressions.
func XCTAssertThrowsErrorAsync<T>(_ expression: @autoclosure () async throws -> T,
                                  file: StaticString = #filePath, line: UInt = #line,
                                  _ check: (any Error) -> Void = { _ in }) async {
    do {
        _ = try await expression()
        XCTFail("no error thrown", file: file, line: line)
    } catch {
        check(error)
    }
}
