import Foundation
import RiegelCore
import RiegelSMS
import RiegelTesting
import Testing

/// The command gateway runs a program with the message as JSON on stdin.
@Suite struct CommandSMSGatewayTests {
    static let message = SMSMessage(to: "+4915112345678", text: "Code 123456")

    /// A script appending its stdin to `out`, then exiting with `status`.
    static func script(_ dir: TemporaryDirectory, out: String, status: Int = 0, sleep: Int = 0) throws -> String {
        try dir.write("send-sms.sh", "#!/bin/sh\n\(sleep > 0 ? "sleep \(sleep)\n" : "")cat >> '\(out)'\nexit \(status)\n", mode: 0o755)
    }

    static func delivered(_ out: String) throws -> [SMSMessage] {
        guard let text = try? String(contentsOfFile: out, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { line in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
            #expect(Set(object.keys) == ["to", "text"])
            return SMSMessage(to: object["to"] ?? "", text: object["text"] ?? "")
        }
    }

    @Test func passesTheGatewayConformanceSuite() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let out = dir.file("delivered.jsonl")
        let gateway = CommandSMSGateway(name: "script", arguments: ["/bin/sh", try Self.script(dir, out: out)])
        try await SMSGatewayConformance.run(gateway) { _ in try Self.delivered(out) }
    }

    @Test func theMessageArrivesAsOneJSONLineOnStdin() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let out = dir.file("stdin")
        let script = try Self.script(dir, out: out)
        try await CommandSMSGateway(name: "script", arguments: ["/bin/sh", script]).send(Self.message)
        #expect(try String(contentsOfFile: out, encoding: .utf8) == #"{"to":"+4915112345678","text":"Code 123456"}"# + "\n")
    }

    @Test func argumentsGetPlaceholdersFilledIn() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let out = dir.file("args")
        let script = try dir.write("args.sh", "#!/bin/sh\nprintf '%s|%s' \"$1\" \"$2\" > '\(out)'\n", mode: 0o755)
        try await CommandSMSGateway(name: "script", arguments: ["/bin/sh", script, "to={to}", "{unknown}"]).send(Self.message)
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "to=+4915112345678|{unknown}")
    }

    @Test func nonZeroExitIsRejectedWithTheStatus() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let gateway = CommandSMSGateway(name: "script", arguments: ["/bin/sh", try Self.script(dir, out: dir.file("o"), status: 3)])
        await #expect(throws: SMSGatewayError.rejected(gateway: "script", reason: "exit status 3")) { try await gateway.send(Self.message) }
    }

    @Test func aProgramThatRunsTooLongIsKilledAndTimesOut() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let pidFile = dir.file("pid")
        let script = try dir.write("hang.sh", "#!/bin/sh\necho $$ > '\(pidFile)'\nexec sleep 30\n", mode: 0o755)
        let gateway = CommandSMSGateway(name: "slow", arguments: ["/bin/sh", script], timeout: .milliseconds(500))
        let start = ContinuousClock.now
        await #expect(throws: SMSGatewayError.timedOut(gateway: "slow")) { try await gateway.send(Self.message) }
        #expect(ContinuousClock.now - start < .seconds(2))
        let pid = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(await eventually(within: .seconds(5)) { kill(pid, 0) != 0 }, "the program is terminated after the timeout")
    }

    @Test func aProgramThatDoesNotReadStdinDoesNotHurtTheDaemon() async throws {
        let gateway = CommandSMSGateway(name: "true", arguments: ["/bin/true"])
        for _ in 0..<3 { try await gateway.send(Self.message) }
    }

    @Test func aMissingProgramIsUnavailableAndNotReady() async throws {
        let gateway = CommandSMSGateway(name: "gone", arguments: ["/nonexistent/send-sms"])
        await #expect { try await gateway.send(Self.message) } throws: { error in
            if case .unavailable(gateway: "gone", _)? = error as? SMSGatewayError { return true }
            return false
        }
        await #expect(throws: SMSGatewayError.self) { try await gateway.checkReadiness() }
        await #expect(throws: SMSGatewayError.self) { try await CommandSMSGateway(name: "rel", arguments: ["send-sms"]).checkReadiness() }
        try await CommandSMSGateway(name: "ok", arguments: ["/bin/cat"]).checkReadiness()
    }
}
