import NIOConcurrencyHelpers
@testable import RiegelClient
import Varlink
import XCTest

/// Every public method against a server that validates calls with riegel's
/// IDL (the validator riegeld uses) and answers with replies synthesised from
/// it: each argument reaches its own wire field, and each reply decodes.
final class ClientAPITests: XCTestCase {
    private var server: TestVarlinkServer!
    /// The parameters each method was last called with.
    private let received = NIOLockedValueBox<[String: [String: JSONValue]]>([:])
    /// The server answers each method with every optional field present.
    private let replySample = { (definition: VarlinkInterfaceDefinition) in
        IDLSample(optionals: true, enumChoice: 0, types: definition.types)
    }

    override func setUp() async throws {
        var handlers: [String: [String: VarlinkMethodHandler]] = [:]
        for definition in ServedIDL.riegel {
            for (name, method) in definition.methods {
                let reply = replySample(definition).members(method.output)
                let received = self.received
                let record: @Sendable (VarlinkCall) -> Void = { call in
                    received.withLockedValue { $0[call.qualifiedMethod] = call.parameters }
                }
                handlers[definition.name, default: [:]][name] = .streaming { call, sink in
                    record(call)
                    if call.more { try await sink.send(reply) }
                    return reply
                }
            }
        }
        server = try await TestVarlinkServer.start(handlers)
    }

    override func tearDown() async throws {
        await server.remove()
    }

    func testEveryDeclaredMethodHasAPublicMethodHere() {
        let declared = Set(ServedIDL.riegel.flatMap { d in d.methods.keys.map { "\(d.name).\($0)" } })
        let called = Set(ClientAPICalls.calls.keys)
        XCTAssertEqual(declared.subtracting(called).sorted(), [], "declared, but ClientAPICalls does not call them")
        XCTAssertEqual(called.subtracting(declared).sorted(), [], "in ClientAPICalls, but not declared")
    }

    func testEveryArgumentReachesItsWireFieldAndEveryReplyDecodes() async throws {
        let client = RiegelClient(socketPath: server.socketPath)
        for definition in ServedIDL.riegel {
            let shape = SwiftShape(types: definition.types)
            for (name, method) in definition.methods.sorted(by: { $0.key < $1.key }) {
                let qualified = "\(definition.name).\(name)"
                guard let calls = ClientAPICalls.calls[qualified] else { continue }
                for (optionals, call) in [(true, calls.full), (false, calls.required)] {
                    received.withLockedValue { $0[qualified] = nil }
                    let result: Any
                    do {
                        result = try await call(client)
                    } catch {
                        XCTFail("\(qualified) (optionals: \(optionals)): \(error)")
                        continue
                    }
                    let expected = IDLSample(optionals: optionals, enumChoice: 0, types: definition.types)
                        .members(method.input)
                    let sent = received.withLockedValue { $0[qualified] } ?? [:]
                    XCTAssertEqual(differences(.object(sent), .object(expected), at: qualified), [],
                                   "optionals: \(optionals): sent other parameters than its arguments")
                    if method.output.isEmpty {
                        XCTAssertTrue(result is Void, "\(qualified) answers () but returns \(type(of: result))")
                    } else if let stream = result as? [Any] {
                        XCTAssertEqual(stream.count, 2, "\(qualified): one reply with continues, then the last")
                        for reply in stream {
                            XCTAssertEqual(shape.problems(reply, .structure(method.output), at: qualified), [])
                        }
                    } else {
                        XCTAssertEqual(shape.problems(result, .structure(method.output), at: qualified), [])
                    }
                }
            }
        }
        XCTAssertEqual(client.pool.openConnections, 1, "sequential calls share one connection")
        await client.close()
    }

    func testRotateKeyStreamsProgressWithMore() async throws {
        let client = RiegelClient(socketPath: server.socketPath)
        var replies: [RotateKeyReply] = []
        for try await reply in client.admin.rotateKeyProgress(purpose: .pii) { replies.append(reply) }
        XCTAssertEqual(replies.count, 2)
        let single = try await client.admin.rotateKey(purpose: .pii)
        XCTAssertEqual(single, replies.last)
        await client.close()
    }

    func testAStreamStoppedEarlyClosesItsConnection() async throws {
        await server.stop()
        let gate = Gate()
        let audit = ServedIDL.named("io.riegel.Audit")
        let event: [String: JSONValue] = ["event": IDLSample(optionals: false, types: audit.types)
            .value(.named("Event"), name: "event")!]
        server = try await TestVarlinkServer.start(at: server.socketPath, ["io.riegel.Audit": [
            "Query": .streaming(requiresMore: true) { _, sink in
                try await sink.send(event)
                await gate.pass()  // follow: more events may come, much later
                return event
            },
        ]])
        defer { gate.open() }
        let client = RiegelClient(socketPath: server.socketPath, maxConnections: 1)
        for try await reply in client.audit.query(follow: true) {
            XCTAssertNotNil(reply.event)
            break
        }
        // The producer notices the consumer left and closes the connection.
        let deadline = ContinuousClock.now + .seconds(5)
        while client.pool.openConnections > 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        XCTAssertEqual(client.pool.openConnections, 0, "a connection with replies still coming was kept")
        // Its one slot is free again.
        let next = client.audit.query(follow: true)
        var iterator = next.makeAsyncIterator()
        let first = try await iterator.next()
        XCTAssertNotNil(first?.event)
        await client.close()
    }
}
