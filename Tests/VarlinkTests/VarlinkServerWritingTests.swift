import Varlink
import XCTest

/// Handlers that write their own replies (`immediateWriting`), against a real server.
final class VarlinkServerWritingTests: LiveServerTestCase {
    func testAWritingHandlerRepliesWithWhatItWrote() throws {
        let socket = try fixture.connect()
        XCTAssertEqual(socket.call(#"{"method":"org.example.test.Describe","parameters":{"text":"HI \"THERE\"\n"}}"#),
                       ["parameters": ["text": "HI \"THERE\"\n", "length": 11, "inner": ["upper": true]]])
    }

    func testAWritingHandlerThatThrowsRepliesWithOnlyTheError() throws {
        let socket = try fixture.connect()
        XCTAssertEqual(socket.call(#"{"method":"org.example.test.WriteThenFail"}"#),
                       ["error": "org.example.test.Custom", "parameters": ["reason": "late"]])
        XCTAssertEqual(socket.call(#"{"method":"org.example.test.Fast","parameters":{"tag":"next"}}"#),
                       ["parameters": ["tag": "next"]], "nothing of the failed reply is left on the connection")
    }

    func testAWritingHandlerStillGetsItsParametersValidated() throws {
        let socket = try fixture.connect()
        XCTAssertEqual(socket.call(#"{"method":"org.example.test.Describe","parameters":{"text":5}}"#), invalid("text"))
        XCTAssertEqual(socket.call(#"{"method":"org.example.test.Describe","parameters":{"text":"a","extra":1}}"#), invalid("extra"))
    }

    func testAOnewayCallToAWritingHandlerRunsItButSendsNothing() throws {
        let socket = try fixture.connect()
        socket.send(#"{"method":"org.example.test.Note","parameters":{"value":"quiet"},"oneway":true}"#)
        XCTAssertEqual(socket.call(#"{"method":"org.example.test.Note","parameters":{"value":"loud"}}"#),
                       ["parameters": ["noted": true]], "the first reply belongs to the call that wanted one")
        XCTAssertEqual(fixture.recorder.all, ["note quiet", "note loud"])
    }

    func testPipelinedWritingCallsAreAnsweredInOrder() throws {
        let socket = try fixture.connect()
        socket.sendRaw((0..<200).map { #"{"method":"org.example.test.Describe","parameters":{"text":"m\#($0)"}}"# + "\0" }.joined()
                       + #"{"method":"org.example.test.Slow","parameters":{"delay_ms":50,"tag":"slow"}}"# + "\0"
                       + #"{"method":"org.example.test.Describe","parameters":{"text":"after"}}"# + "\0")
        for i in 0..<200 {
            guard socket.reply()["parameters"]?["text"] == .string("m\(i)") else { return XCTFail("reply \(i) out of order") }
        }
        XCTAssertEqual(socket.reply()["parameters"]?["tag"], "slow")
        XCTAssertEqual(socket.reply()["parameters"]?["text"], "after")
    }
}
