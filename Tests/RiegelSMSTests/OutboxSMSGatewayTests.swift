import Foundation
import RiegelCore
import RiegelSMS
import RiegelTesting
import Testing

/// The outbox keeps its contract (docs/security-rules.md): one JSON object per line, durable before send returns.
@Suite struct OutboxSMSGatewayTests {
    static func lines(_ path: String) throws -> [[String: String]] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            .dropLast()  // the text after the last newline: empty when every line is complete
            .map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String]) }
    }

    @Test func writesOneJSONObjectPerLineWithRFC3339TimeAndE164Number() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let clock = ManualClock(start: Instant(secondsSinceEpoch: 1_795_000_000.75))
        let outbox = OutboxSMSGateway(path: dir.file("sms-outbox.jsonl"), clock: clock)
        try await outbox.send(SMSMessage(to: "+4915112345678", text: "Your code is 123456\n@portal.example #123456"))
        clock.advance(seconds: 61)
        try await outbox.send(SMSMessage(to: "+41791234567", text: #"a "quoted" \ text"#))

        let raw = try String(contentsOfFile: dir.file("sms-outbox.jsonl"), encoding: .utf8)
        #expect(raw.hasSuffix("\n"))
        #expect(raw.split(separator: "\n").count == 2)
        let lines = try Self.lines(dir.file("sms-outbox.jsonl"))
        #expect(lines.count == 2)
        #expect(Set(lines[0].keys) == ["time", "to", "text"])
        #expect(lines[0]["time"] == "2026-11-18T11:06:40Z")
        #expect(RFC3339.parse(lines[0]["time"] ?? "") == Instant(secondsSinceEpoch: 1_795_000_000))
        #expect(lines[0]["to"] == "+4915112345678")
        #expect(lines[0]["text"] == "Your code is 123456\n@portal.example #123456")
        #expect(RFC3339.parse(lines[1]["time"] ?? "") == Instant(secondsSinceEpoch: 1_795_000_061))
        #expect(lines[1]["text"] == #"a "quoted" \ text"#)
        #expect(OutboxSMSGateway.line(for: SMSMessage(to: "+4930123456", text: "x"), at: Instant(secondsSinceEpoch: 0))
            == #"{"time":"1970-01-01T00:00:00Z","to":"+4930123456","text":"x"}"# + "\n")
    }

    @Test func createsTheFileWithMode0600() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("outbox.jsonl")
        let old = umask(0)
        defer { umask(old) }
        try await OutboxSMSGateway(path: path, clock: ManualClock()).send(SMSMessage(to: "+4915112345678", text: "1"))
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func appendsToAnExistingFileAndKeepsItsLines() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = try dir.write("outbox.jsonl", #"{"time":"2026-01-01T00:00:00Z","to":"+4930123456","text":"old"}"# + "\n")
        try await OutboxSMSGateway(path: path, clock: ManualClock()).send(SMSMessage(to: "+4915112345678", text: "new"))
        #expect(try Self.lines(path).map { $0["text"] } == ["old", "new"])
    }

    @Test func passesTheGatewayConformanceSuite() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("outbox.jsonl")
        try await SMSGatewayConformance.run(OutboxSMSGateway(path: path, clock: ManualClock())) { _ in
            try Self.lines(path).map { SMSMessage(to: $0["to"] ?? "", text: $0["text"] ?? "") }
        }
    }

    @Test func concurrentWritersNeverInterleaveLines() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("outbox.jsonl")
        let outbox = OutboxSMSGateway(path: path, clock: ManualClock())
        let long = String(repeating: "x", count: 5000)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<40 { group.addTask { try await outbox.send(SMSMessage(to: "+49151000000\(i % 10)", text: "\(i) \(long)")) } }
            try await group.waitForAll()
        }
        let lines = try Self.lines(path)
        #expect(lines.count == 40)
        #expect(Set(lines.compactMap { $0["text"]?.split(separator: " ").first.map(String.init) }).count == 40)
    }

    @Test func readinessRequiresAWritableDirectoryAndAPrivateFile() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try await OutboxSMSGateway(path: dir.file("new.jsonl"), clock: ManualClock()).checkReadiness()

        let missing = OutboxSMSGateway(path: dir.file("no/such/dir/outbox.jsonl"), clock: ManualClock())
        await #expect(throws: SMSGatewayError.self) { try await missing.checkReadiness() }
        do {
            try await missing.send(SMSMessage(to: "+4915112345678", text: "123456"))
            Issue.record("a send into a missing directory must fail")
        } catch let SMSGatewayError.unavailable(gateway, reason) {
            #expect(gateway == "outbox")
            #expect(reason.contains("create"))
            #expect(!reason.contains("123456") && !reason.contains("+4915112345678"))
        }

        let open = try dir.write("open.jsonl", "", mode: 0o644)
        do {
            try await OutboxSMSGateway(path: open, clock: ManualClock()).checkReadiness()
            Issue.record("a world-readable outbox must not be ready")
        } catch let SMSGatewayError.unavailable(_, reason) {
            #expect(reason.contains("chmod 600"))
        }
    }
}
