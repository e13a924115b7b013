#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import Varlink
import XCTest

/// Against a real server on a temporary Unix socket, with a raw socket client.
final class VarlinkServerTests: LiveServerTestCase {
    private func errorName(_ reply: JSONValue) -> String? { reply["error"]?.string }

    func testAnswersACallWithParameters() throws {
        let socket = try fixture.connect()
        let reply = socket.call(#"{"method":"org.example.test.Echo","parameters":{"text":"hi"}}"#)
        XCTAssertEqual(reply, ["parameters": ["text": "hi"]])
    }

    func testSeveralMessagesInOneWriteAreAnsweredInOrder() throws {
        let socket = try fixture.connect()
        socket.sendRaw((1...5).map { #"{"method":"org.example.test.Echo","parameters":{"text":"m\#($0)"}}"# + "\0" }.joined())
        for i in 1...5 {
            XCTAssertEqual(socket.reply()["parameters"]?["text"], .string("m\(i)"))
        }
    }

    func testManyPipelinedCallsSentBeforeReadingAreAllAnsweredInOrder() throws {
        let socket = try fixture.connect()
        let count = 20000  // ~1.4 MB of calls, ~0.6 MB of replies: more than the socket buffers hold
        let writer = Thread {
            socket.sendRaw((0..<count).map { #"{"method":"org.example.test.Echo","parameters":{"text":"\#($0)"}}"# + "\0" }.joined())
        }
        writer.start()
        usleep(300_000)  // Not reading yet: the server must stop writing and reading, not buffer without bound.
        for i in 0..<count {
            guard socket.reply()["parameters"]?["text"] == .string("\(i)") else { return XCTFail("reply \(i) out of order") }
        }
    }

    func testAMessageSplitAcrossWritesIsReassembled() throws {
        let socket = try fixture.connect()
        socket.sendRaw(#"{"method":"org.example.te"#)
        usleep(50_000)
        socket.sendRaw(#"st.Echo","parameters":{"text":"split"}}"#)
        usleep(50_000)
        socket.sendRaw("\0")
        XCTAssertEqual(socket.reply()["parameters"]?["text"], "split")
    }

    func testPipelinedSlowAsyncCallIsAnsweredBeforeALaterImmediateCall() throws {
        let socket = try fixture.connect()
        socket.sendRaw(#"{"method":"org.example.test.Slow","parameters":{"delay_ms":200,"tag":"slow"}}"# + "\0"
                       + #"{"method":"org.example.test.Fast","parameters":{"tag":"fast"}}"# + "\0")
        XCTAssertEqual(socket.reply()["parameters"]?["tag"], "slow")
        XCTAssertEqual(socket.reply()["parameters"]?["tag"], "fast")
    }

    func testAnImmediateCallThatContinuesInATaskIsAnsweredFromTheTaskInCallOrder() throws {
        let socket = try fixture.connect()
        socket.sendRaw(#"{"method":"org.example.test.Later","parameters":{"tag":"a","delay_ms":200}}"# + "\0"
                       + #"{"method":"org.example.test.Fast","parameters":{"tag":"b"}}"# + "\0"
                       + #"{"method":"org.example.test.Later","parameters":{"tag":"c","delay_ms":0}}"# + "\0"
                       + #"{"method":"org.example.test.LaterPlain","parameters":{"tag":"d"}}"# + "\0"
                       + #"{"method":"org.example.test.Later","parameters":{"tag":"e","delay_ms":50,"fail":true}}"# + "\0"
                       + #"{"method":"org.example.test.Fast","parameters":{"tag":"f"}}"# + "\0")
        XCTAssertEqual(socket.reply(), ["parameters": ["tag": "a from a task"]], "what the handler wrote is dropped")
        XCTAssertEqual(socket.reply()["parameters"]?["tag"], "b")
        XCTAssertEqual(socket.reply()["parameters"]?["tag"], "c")
        XCTAssertEqual(socket.reply()["parameters"]?["tag"], "d from a task")
        XCTAssertEqual(socket.reply(), ["error": "org.example.test.Custom", "parameters": ["reason": "in the task"]])
        XCTAssertEqual(socket.reply()["parameters"]?["tag"], "f")
    }

    func testMoreGivesContinuesRepliesThenAFinalOne() throws {
        let socket = try fixture.connect()
        socket.send(#"{"method":"org.example.test.Count","parameters":{"n":3},"more":true}"#)
        XCTAssertEqual(socket.reply(), ["parameters": ["i": 0], "continues": true])
        XCTAssertEqual(socket.reply(), ["parameters": ["i": 1], "continues": true])
        XCTAssertEqual(socket.reply(), ["parameters": ["i": 2]])
    }

    func testContinuesIsNeverSentWithoutMore() throws {
        let socket = try fixture.connect()
        let reply = socket.call(#"{"method":"org.example.test.Count","parameters":{"n":3}}"#)
        XCTAssertEqual(reply, ["parameters": ["i": 2]])
        XCTAssertEqual(socket.call(#"{"method":"org.example.test.Fast","parameters":{"tag":"next"}}"#),
                       ["parameters": ["tag": "next"]], "no stray continues replies were queued")
    }

    func testOnewayGetsNoReplyNotEvenForErrors() throws {
        let socket = try fixture.connect()
        socket.send(#"{"method":"org.example.test.Record","parameters":{"value":"one"},"oneway":true}"#)
        socket.send(#"{"method":"org.example.test.Nope","oneway":true}"#)
        socket.send(#"{"method":"org.example.test.Fails","oneway":true}"#)
        XCTAssertEqual(socket.call(#"{"method":"org.example.test.Fast","parameters":{"tag":"after"}}"#),
                       ["parameters": ["tag": "after"]], "the first reply belongs to the first non-oneway call")
        XCTAssertEqual(fixture.recorder.all, ["one"])
    }

    func testMoreAndOnewayTogetherAreInvalid() throws {
        let socket = try fixture.connect()
        let reply = socket.call(#"{"method":"org.example.test.Count","parameters":{"n":1},"more":true,"oneway":true}"#)
        XCTAssertEqual(errorName(reply), "org.varlink.service.InvalidParameter")
        XCTAssertNil(reply["continues"])
    }

    func testRequiresMoreMethodCalledWithoutMoreAnswersExpectedMore() throws {
        let socket = try fixture.connect()
        let reply = socket.call(#"{"method":"org.example.test.CountRequired","parameters":{"n":1}}"#)
        XCTAssertEqual(reply, ["error": "org.varlink.service.ExpectedMore", "parameters": [:]])
    }

    func testStandardErrors() throws {
        let socket = try fixture.connect()
        XCTAssertEqual(socket.call(#"{"method":"org.example.nothere.Foo"}"#),
                       ["error": "org.varlink.service.InterfaceNotFound", "parameters": ["interface": "org.example.nothere"]])
        XCTAssertEqual(socket.call(#"{"method":"org.example.test.Nope"}"#),
                       ["error": "org.varlink.service.MethodNotFound", "parameters": ["method": "org.example.test.Nope"]])
        XCTAssertEqual(socket.call(#"{"method":"org.example.test.Unimplemented"}"#),
                       ["error": "org.varlink.service.MethodNotImplemented",
                        "parameters": ["method": "org.example.test.Unimplemented"]])
        XCTAssertEqual(socket.call(#"{"method":"org.example.test.Echo","parameters":{"text":"x","bogus":1}}"#),
                       ["error": "org.varlink.service.InvalidParameter", "parameters": ["parameter": "bogus"]])
        XCTAssertEqual(socket.call(#"{"method":"org.example.test.Echo","parameters":{"text":"x","color":"blue"}}"#),
                       ["error": "org.varlink.service.InvalidParameter", "parameters": ["parameter": "color"]])
        XCTAssertEqual(socket.call(#"{"method":"org.example.test.Echo","parameters":{}}"#),
                       ["error": "org.varlink.service.InvalidParameter", "parameters": ["parameter": "text"]])
        XCTAssertEqual(socket.call(#"{"method":"org.example.test.Secret"}"#),
                       ["error": "org.varlink.service.PermissionDenied", "parameters": [:]])
        XCTAssertEqual(fixture.recorder.all, ["denied Secret"], "authorize saw the denied call")
    }

    func testAuthorizationIsCheckedBeforeParameterValidation() throws {
        let socket = try fixture.connect()
        XCTAssertEqual(errorName(socket.call(#"{"method":"org.example.test.Secret","parameters":{"junk":1}}"#)),
                       "org.varlink.service.PermissionDenied")
    }

    func testThrownVarlinkErrorAndOtherErrorsBecomeErrorReplies() throws {
        let socket = try fixture.connect()
        XCTAssertEqual(socket.call(#"{"method":"org.example.test.Fails"}"#),
                       ["error": "org.example.test.Custom", "parameters": ["reason": "because"]])
        XCTAssertEqual(socket.call(#"{"method":"org.example.test.Crash"}"#),
                       ["error": "org.varlink.service.InternalError", "parameters": [:]])
    }

    func testGetInfoListsAllInterfaces() throws {
        let socket = try fixture.connect()
        XCTAssertEqual(socket.call(#"{"method":"org.varlink.service.GetInfo"}"#), ["parameters": [
            "vendor": "Test Vendor", "product": "Test Product", "version": "1.2", "url": "https://example.org",
            "interfaces": ["org.varlink.service", "org.example.test"],
        ]])
    }

    func testGetInterfaceDescriptionReturnsTheOriginalText() throws {
        let socket = try fixture.connect()
        let reply = socket.call(#"{"method":"org.varlink.service.GetInterfaceDescription","parameters":{"interface":"org.example.test"}}"#)
        XCTAssertEqual(reply["parameters"]?["description"]?.string, ServerFixture.interface)
        let service = socket.call(#"{"method":"org.varlink.service.GetInterfaceDescription","parameters":{"interface":"org.varlink.service"}}"#)
        XCTAssertEqual(service["parameters"]?["description"]?.string, VarlinkService.serviceInterfaceDescription)
        XCTAssertEqual(socket.call(#"{"method":"org.varlink.service.GetInterfaceDescription","parameters":{"interface":"x.y"}}"#),
                       ["error": "org.varlink.service.InterfaceNotFound", "parameters": ["interface": "x.y"]])
    }

    func testPeerCredentialsAreThoseOfTheConnectingProcess() throws {
        let socket = try fixture.connect()
        XCTAssertEqual(socket.call(#"{"method":"org.example.test.Whoami"}"#), ["parameters": [
            "pid": .int(Int64(getpid())), "uid": .int(Int64(getuid())), "gid": .int(Int64(getgid())),
        ]])
    }

    func testMalformedMessagesCloseOnlyThatConnection() throws {
        let healthy = try fixture.connect()
        for bad in ["{not json", "[1,2]", #"{"parameters":{}}"#, #"{"method":42}"#] {
            let socket = try fixture.connect()
            socket.send(bad)
            XCTAssertEqual(socket.read(), .closed, "\(bad) closes the connection")
        }
        XCTAssertEqual(healthy.call(#"{"method":"org.example.test.Fast","parameters":{"tag":"ok"}}"#)["parameters"]?["tag"], "ok")
    }

    func testSocketFileGetsTheRequestedMode() throws {
        var info = stat()
        XCTAssertEqual(stat(fixture.path, &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o600)
    }

    func testGracefulShutdownAnswersTheInFlightCallThenCloses() async throws {
        let socket = try fixture.connect()
        socket.send(#"{"method":"org.example.test.Slow","parameters":{"delay_ms":300,"tag":"inflight"}}"#)
        try await Task.sleep(nanoseconds: 100_000_000)
        let stopping = Task { [fixture] in try await fixture!.stop() }
        XCTAssertEqual(socket.reply()["parameters"]?["tag"], "inflight")
        XCTAssertEqual(socket.read(), .closed)
        try await stopping.value
        fixture = nil
        XCTAssertThrowsError(try RawVarlinkSocket(path: NSTemporaryDirectory() + "/nonexistent.sock"))
    }
}
