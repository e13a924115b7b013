import NIOPosix
import Varlink
import XCTest

/// Our client against our server.
final class VarlinkClientTests: XCTestCase {
    func testCallMoreOnewayAndErrorsThroughTheClient() async throws {
        let fixture = try await ServerFixture()
        let client = try await VarlinkClient.connect(to: "unix:" + fixture.path, group: MultiThreadedEventLoopGroup.singleton)
        let echo = try await client.call("org.example.test.Echo", parameters: ["text": "hello"])
        XCTAssertEqual(echo, ["text": "hello"])
        var seen: [JSONValue] = []
        for try await reply in client.callMore("org.example.test.Count", parameters: ["n": 3]) {
            seen.append(reply["i"] ?? .null)
        }
        XCTAssertEqual(seen, [0, 1, 2])
        try await client.callOneway("org.example.test.Record", parameters: ["value": "oneway"])
        do {
            _ = try await client.call("org.example.test.Nope")
            XCTFail("expected MethodNotFound")
        } catch let error as VarlinkError {
            XCTAssertEqual(error, .methodNotFound("org.example.test.Nope"))
        }
        async let a = client.call("org.example.test.Slow", parameters: ["delay_ms": 100, "tag": "a"])
        async let b = client.call("org.example.test.Fast", parameters: ["tag": "b"])
        let (ra, rb) = try await (a, b)
        XCTAssertEqual(ra["tag"], "a")
        XCTAssertEqual(rb["tag"], "b")
        XCTAssertEqual(fixture.recorder.all, ["oneway"])
        try await client.close()
        try await fixture.stop()
    }

    func testCallsFailInsteadOfHangingWhenTheServerGoesAway() async throws {
        let fixture = try await ServerFixture()
        let client = try await VarlinkClient.connect(to: fixture.path, group: MultiThreadedEventLoopGroup.singleton)
        async let slow = client.call("org.example.test.Slow", parameters: ["delay_ms": 100, "tag": "last"])
        try await Task.sleep(nanoseconds: 20_000_000)
        try await fixture.stop()
        let reply = try await slow
        XCTAssertEqual(reply["tag"], "last", "graceful stop still answered the call in flight")
        do {
            _ = try await client.call("org.example.test.Fast", parameters: ["tag": "x"])
            XCTFail("expected an error after the server closed the connection")
        } catch is VarlinkError {
            XCTFail("a closed connection is not a varlink error reply")
        } catch {
            // Expected: connection closed.
        }
    }
}
