import Logging
import NIOCore
import NIOEmbedded
import NIOPosix
@testable import Varlink
import XCTest

/// What a peer can make the server hold: calls are not read while replies go unread,
/// stuck connections are closed, one uid gets a share of the slots, unnamed peers none.
final class VarlinkServerBackpressureTests: XCTestCase {
    /// Sends Echo calls (1 KB reply each) without reading for up to `seconds`; returns the bytes
    /// the server took and whether sending then made no progress for half a second.
    /// `batch` 1 paces single calls (~1 ms apart) so each read holds one call and none waits in
    /// the server's queue: only writability can stop it. Larger batches fill that queue.
    private func floodWithoutReading(_ socket: RawVarlinkSocket, seconds: Double,
                                     batch count: Int = 1) async throws -> (sent: Int, stalled: Bool) {
        let call = Array((#"{"method":"org.example.test.Echo","parameters":{"text":""# + String(repeating: "x", count: 1000)
            + "\"}}\0").utf8)
        let batch = Array([[UInt8]](repeating: call, count: count).joined())
        var sent = 0
        var lastProgress = ContinuousClock.now
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            let n = socket.sendWithoutBlocking(batch)
            if n > 0 {
                sent += n
                lastProgress = .now
                try await Task.sleep(for: .milliseconds(1))
            } else {
                if lastProgress.duration(to: .now) > .milliseconds(500) { return (sent, true) }
                try await Task.sleep(for: .milliseconds(5))
            }
        }
        return (sent, false)
    }

    func testClientThatNeverReadsRepliesIsNotReadFromEither() async throws {
        let fixture = try await ServerFixture()
        do {
            let flooder = try fixture.connect()
            flooder.setReceiveBuffer(4096)
            let (sent, stalled) = try await floodWithoutReading(flooder, seconds: 4)
            XCTAssertTrue(stalled, "the server kept reading calls whose replies it could not send (\(sent) bytes)")
            // Kernel buffers on both sides, one read, 64 waiting calls: far below this.
            XCTAssertLessThan(sent, 8 << 20)
        }  // closed here, so stopping the server need not wait for its queued calls
        let other = try fixture.connect()
        XCTAssertEqual(other.call(#"{"method":"org.example.test.Fast","parameters":{"tag":"ok"}}"#)["parameters"]?["tag"], "ok")
        try await fixture.stop()
    }

    func testClientThatNeverReadsIsClosedAfterTheWriteStallTimeoutDespiteQueuedCalls() async throws {
        let fixture = try await ServerFixture(configuration: .init(idleTimeout: nil, writeStallTimeout: .milliseconds(300)))
        let flooder = try fixture.connect()
        flooder.setReceiveBuffer(4096)
        let (_, stalled) = try await floodWithoutReading(flooder, seconds: 4, batch: 32)
        XCTAssertTrue(stalled)
        XCTAssertTrue(flooder.closedByPeer(within: 3))
        var replies = 0
        while case .message = flooder.read() { replies += 1 }  // what was sent before the close, then EOF
        XCTAssertEqual(flooder.read(), .closed)
        XCTAssertGreaterThan(replies, 0)
        try await fixture.stop()
    }

    func testStuckConnectionWithQueuedCallsStillIdlesOut() async throws {
        let fixture = try await ServerFixture(configuration: .init(idleTimeout: .milliseconds(300), writeStallTimeout: nil))
        let flooder = try fixture.connect()
        flooder.setReceiveBuffer(4096)
        let (_, stalled) = try await floodWithoutReading(flooder, seconds: 4, batch: 32)
        XCTAssertTrue(stalled)
        XCTAssertTrue(flooder.closedByPeer(within: 3), "calls queued behind unread replies kept it open")
        try await fixture.stop()
    }

    func testOneUIDBeyondItsShareIsClosedAtOnce() async throws {
        let fixture = try await ServerFixture(configuration: .init(maxConnections: 10, maxConnectionsPerUID: 2))
        var served = try fixture.connectTwoAndSeeTheThirdRefused("a third connection from the same uid is over its share")
        served.removeFirst()  // the last reference: closes the first connection
        try await Task.sleep(for: .milliseconds(200))
        let fourth = try fixture.connect()
        XCTAssertEqual(fourth.call(#"{"method":"org.example.test.Fast","parameters":{"tag":"4"}}"#)["parameters"]?["tag"], "4",
                       "a closed connection gives its slot back")
        withExtendedLifetime(served) {}
        try await fixture.stop()
    }

    func testPeerWhoseCredentialsCannotBeReadIsRefused() async throws {
        var logger = Logger(label: "varlink-test")
        logger.logLevel = .critical
        let server = VarlinkServer(service: VarlinkService(vendor: "v", product: "p", version: "1", url: "u"),
                                   group: MultiThreadedEventLoopGroup.singleton, logger: logger)
        // Not a socket: SO_PEERCRED cannot say who it is. It used to be served as uid 4294967295.
        let channel = EmbeddedChannel()
        XCTAssertThrowsError(try server.initialize(connection: channel).wait())
        XCTAssertThrowsError(try channel.pipeline.syncOperations.handler(type: VarlinkServerConnectionHandler.self))
        _ = try? channel.finish()
        server.shutdown()
        try await server.run()
    }
}

/// `SO_PEERGROUPS` comes back zero-padded; the sorted list is read back by its shape.
final class UnixPeerGroupsTests: XCTestCase {
    func testZeroPaddingIsNotReadAsTheRootGroup() {
        XCTAssertEqual(UnixPeerGroups.decode([0, 0, 0, 0]), [], "no groups")
        XCTAssertEqual(UnixPeerGroups.decode([4, 27, 1000, 0, 0]), [4, 27, 1000])
        XCTAssertEqual(UnixPeerGroups.decode([0, 4, 27, 0, 0]), [0, 4, 27], "gid 0 as the first of several")
        XCTAssertEqual(UnixPeerGroups.decode([7, 8, 9]), [7, 8, 9], "a full buffer")
        XCTAssertEqual(MemoryLayout<UnixPeerGroups>.size, UnixPeerGroups.capacity * 4)
    }
}
