import NIOCore
import Varlink
import XCTest

/// Connection limits: message size, connection count, idle timeout, message timeout.
final class VarlinkServerLimitTests: XCTestCase {
    func testOversizedMessageClosesThatConnectionWhileAnotherKeepsWorking() async throws {
        let fixture = try await ServerFixture(configuration: .init(maxMessageSize: 1024))
        let healthy = try fixture.connect()
        let big = try fixture.connect()
        big.send(#"{"method":"org.example.test.Echo","parameters":{"text":""# + String(repeating: "x", count: 2000) + #""}}"#)
        XCTAssertEqual(big.read(), .closed)
        let unterminated = try fixture.connect()
        unterminated.sendRaw(String(repeating: " ", count: 4000))
        XCTAssertEqual(unterminated.read(), .closed, "a message that never ends is cut off at the limit too")
        XCTAssertEqual(healthy.call(#"{"method":"org.example.test.Fast","parameters":{"tag":"ok"}}"#)["parameters"]?["tag"], "ok")
        try await fixture.stop()
    }

    func testConnectionsBeyondMaxConnectionsAreClosedAtOnce() async throws {
        let fixture = try await ServerFixture(configuration: .init(maxConnections: 2))
        let open = try fixture.connectTwoAndSeeTheThirdRefused()
        try await fixture.stop()
        _ = open
    }

    func testIdleConnectionIsClosedButNotWhileACallIsInFlight() async throws {
        let fixture = try await ServerFixture(configuration: .init(idleTimeout: .milliseconds(300)))
        let busy = try fixture.connect()
        busy.send(#"{"method":"org.example.test.Slow","parameters":{"delay_ms":700,"tag":"long"}}"#)
        let idle = try fixture.connect()
        XCTAssertEqual(idle.read(), .closed, "idle connection closed after the timeout")
        XCTAssertEqual(busy.reply()["parameters"]?["tag"], "long", "a call in flight keeps the connection open")
        try await fixture.stop()
    }

    func testCallsMoreOftenThanTheIdleTimeoutKeepTheConnectionOpen() async throws {
        let fixture = try await ServerFixture(configuration: .init(idleTimeout: .milliseconds(300)))
        let active = try fixture.connect()
        for i in 0..<8 {  // 8 × 100 ms: well past the timeout in total, never idle for it
            XCTAssertEqual(active.call(#"{"method":"org.example.test.Fast","parameters":{"tag":"\#(i)"}}"#)["parameters"]?["tag"],
                           .string("\(i)"))
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        XCTAssertEqual(active.read(), .closed, "once the calls stop, the connection is closed after the timeout")
        try await fixture.stop()
    }

    func testSlowSenderIsClosedOnceItsMessageIsOlderThanTheMessageTimeout() async throws {
        let fixture = try await ServerFixture(configuration: .init(idleTimeout: .seconds(60), messageTimeout: .milliseconds(400)))
        let slow = try fixture.connect()
        let message = #"{"method":"org.example.test.Fast","parameters":{"tag":"slow"}}"#
        // One byte every 50 ms: each byte is activity (the idle timeout never fires),
        // but the message is still unfinished after 400 ms.
        var closed = false
        for byte in message.prefix(20) {
            slow.sendRaw(String(byte))
            if slow.closedByPeer(within: 0.05) { closed = true; break }
        }
        XCTAssertTrue(closed || slow.closedByPeer(within: 1), "a message trickling in byte by byte kept its connection")
        // A whole message sent in pieces within the timeout is served, and the next message gets a fresh clock.
        let honest = try fixture.connect()
        for _ in 0..<3 {
            honest.sendRaw(String(message.prefix(10)))
            try await Task.sleep(nanoseconds: 250_000_000)
            honest.sendRaw(String(message.dropFirst(10)) + "\0")
            XCTAssertEqual(honest.reply()["parameters"]?["tag"], "slow")
        }
        try await fixture.stop()
    }

    func testShutdownClosesConnectionsStillBusyAfterTheGracePeriod() async throws {
        let fixture = try await ServerFixture(configuration: .init(shutdownGracePeriod: .milliseconds(200)))
        let socket = try fixture.connect()
        socket.send(#"{"method":"org.example.test.Slow","parameters":{"delay_ms":3000,"tag":"too slow"}}"#)
        try await Task.sleep(nanoseconds: 50_000_000)
        let started = ContinuousClock.now
        try await fixture.stop()
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(2), "run() returned after the grace period")
        XCTAssertEqual(socket.read(), .closed)
    }
}
