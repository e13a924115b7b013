import XCTest
import Foundation
import Logging
import NIOCore
import NIOPosix
import Varlink

/// The name of the thread running the caller (a synchronous function: async
/// code may not read `Thread.current` itself), as the kernel holds it (what
/// `ps -L` shows: `/proc/thread-self/comm`), not Foundation's
/// `Thread.current.name`, which in some full-suite runs gave a Dispatch
/// thread's name here.
func currentThreadName() -> String {
    let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
    return comm.trimmingCharacters(in: .newlines)
}

/// A records list safe to use from handlers.
final class Recorder: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func append(_ item: String) { lock.lock(); items.append(item); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
}

/// A real VarlinkServer on a temporary Unix socket, serving `org.example.test`.
final class ServerFixture: @unchecked Sendable {
    static let interface = """
        # Interface used by the server tests.
        interface org.example.test

        type Color (red, green)

        method Echo(text: string, color: ?Color, ratio: ?float) -> (text: string)
        method Slow(delay_ms: int, tag: string) -> (tag: string)
        method Fast(tag: string) -> (tag: string)
        method Count(n: int) -> (i: int)
        method CountRequired(n: int) -> (i: int)
        method Unimplemented() -> ()
        method Secret() -> ()
        method Whoami() -> (pid: int, uid: int, gid: int)
        method Crash() -> ()
        method Record(value: string) -> ()
        method Fails() -> ()
        method Describe(text: string) -> (text: string, length: int, inner: (upper: bool))
        method WriteThenFail() -> (partial: string)
        method Note(value: string) -> (noted: bool)
        method Later(tag: string, delay_ms: int, fail: ?bool) -> (tag: string)
        method LaterPlain(tag: string) -> (tag: string)
        method ThreadName() -> (name: string)
        method ThreadNameLater() -> (name: string)

        error Custom (reason: string)
        """

    let directory: String
    let path: String
    let server: VarlinkServer
    let recorder = Recorder()
    private var runTask: Task<Void, any Error>?

    init(configuration: VarlinkServer.Configuration = .init()) async throws {
        directory = NSTemporaryDirectory() + "varlink-test-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = directory + "/s.sock"
        var service = VarlinkService(vendor: "Test Vendor", product: "Test Product", version: "1.2", url: "https://example.org")
        let recorder = self.recorder
        try service.register(interfaceDescription: Self.interface, methods: [
            "Echo": .immediate { call in ["text": call.parameters["text"] ?? ""] },
            "Slow": .async { call in
                try await Task.sleep(nanoseconds: UInt64(call.parameters["delay_ms"]?.int ?? 0) * 1_000_000)
                return ["tag": call.parameters["tag"] ?? ""]
            },
            "Fast": .immediate { call in ["tag": call.parameters["tag"] ?? ""] },
            "Count": .streaming { call, sink in
                let n = call.parameters["n"]?.int ?? 0
                for i in 0..<max(n - 1, 0) { try await sink.send(["i": .int(i)]) }
                return ["i": .int(max(n - 1, 0))]
            },
            "CountRequired": .streaming(requiresMore: true) { _, _ in ["i": 0] },
            "Secret": .immediate { _ in [:] },
            "Whoami": .immediate { call in
                ["pid": .int(Int64(call.peer.pid)), "uid": .int(Int64(call.peer.uid)), "gid": .int(Int64(call.peer.gid))]
            },
            "Crash": .async { _ in throw CocoaError(.fileNoSuchFile) },
            "Record": .immediate { call in
                recorder.append(call.parameters["value"]?.string ?? "")
                return [:]
            },
            "Fails": .immediate { _ in throw VarlinkError(name: "org.example.test.Custom", parameters: ["reason": "because"]) },
            "Describe": .immediateWriting { call, reply in
                let text = call.parameters["text"]?.string ?? ""
                reply.write("text", text)
                reply.write("length", Int64(text.count))
                reply.writeObject("inner") { $0.write("upper", text == text.uppercased()) }
            },
            "WriteThenFail": .immediateWriting { _, reply in
                reply.write("partial", "written before the failure")
                throw VarlinkError(name: "org.example.test.Custom", parameters: ["reason": "late"])
            },
            // Answers at once when delay_ms is 0, else continues in a task (VarlinkContinueInTask).
            "Later": .immediateWriting { call, reply in
                let tag = call.parameters["tag"]?.string ?? ""
                let delay = call.parameters["delay_ms"]?.int ?? 0
                guard delay > 0 else { return reply.write("tag", tag) }
                reply.write("tag", "written before continuing: must be dropped")
                let fail = call.parameters["fail"]?.bool ?? false
                throw VarlinkContinueInTask {
                    try await Task.sleep(nanoseconds: UInt64(delay) * 1_000_000)
                    if fail { throw VarlinkError(name: "org.example.test.Custom", parameters: ["reason": "in the task"]) }
                    return ["tag": .string(tag + " from a task")]
                }
            },
            "ThreadName": .async { _ in ["name": .string(currentThreadName())] },
            "ThreadNameLater": .immediate { _ in throw VarlinkContinueInTask { ["name": .string(currentThreadName())] } },
            "LaterPlain": .immediate { call in
                let tag = call.parameters["tag"]?.string ?? ""
                throw VarlinkContinueInTask { ["tag": .string(tag + " from a task")] }
            },
            "Note": .immediateWriting { call, reply in
                recorder.append("note " + (call.parameters["value"]?.string ?? ""))
                reply.write("noted", true)
            },
        ], authorize: { call in
            if call.method == "Secret" { recorder.append("denied Secret"); return false }
            return true
        })
        var logger = Logger(label: "varlink-test")
        logger.logLevel = .critical
        // The shared group outlives handler Tasks that finish after a test (grace-period test).
        server = VarlinkServer(service: service, group: MultiThreadedEventLoopGroup.singleton,
                               configuration: configuration, logger: logger)
        try await server.bind(unixPath: path, mode: 0o600)
        let server = self.server
        runTask = Task { try await server.run() }
    }

    func connect() throws -> RawVarlinkSocket {
        try RawVarlinkSocket(path: path)
    }

    /// Opens two connections that are served, then a third that must be closed
    /// at once (a connection limit reached); returns the two served ones (their
    /// only references: dropping one closes it).
    func connectTwoAndSeeTheThirdRefused(_ message: String = "",
                                         file: StaticString = #filePath, line: UInt = #line) throws
        -> [RawVarlinkSocket] {
        let first = try connect()
        let second = try connect()
        XCTAssertEqual(first.call(#"{"method":"org.example.test.Fast","parameters":{"tag":"1"}}"#)["parameters"]?["tag"], "1",
                       file: file, line: line)
        XCTAssertEqual(second.call(#"{"method":"org.example.test.Fast","parameters":{"tag":"2"}}"#)["parameters"]?["tag"], "2",
                       file: file, line: line)
        let third = try connect()
        third.send(#"{"method":"org.example.test.Fast","parameters":{"tag":"3"}}"#)
        XCTAssertEqual(third.read(), .closed, message, file: file, line: line)
        return [first, second]
    }

    /// Stops the server gracefully and waits until it has.
    func stop() async throws {
        server.shutdown()
        try await runTask?.value
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// A test case with a live ``ServerFixture`` per test, stopped afterwards.
class LiveServerTestCase: XCTestCase {
    var fixture: ServerFixture!

    override func setUp() async throws {
        fixture = try await ServerFixture()
    }

    override func tearDown() async throws {
        try await fixture?.stop()
        fixture = nil
    }

    /// The standard reply to a call with a bad `parameter`.
    func invalid(_ parameter: String) -> JSONValue {
        ["error": "org.varlink.service.InvalidParameter", "parameters": ["parameter": .string(parameter)]]
    }
}
