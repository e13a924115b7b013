import RiegelCore

/// The rules every ``SMSGateway`` must keep, checked against a real
/// delivery: the test supplies `delivered`, which reads back every message
/// the far side has received so far, in arrival order (outbox lines, what a
/// fake SMSC printed, what a script wrote). ``run(_:delivered:)`` throws
/// ``ConformanceFailure`` on the first broken rule.
///
/// `delivered` may wait for asynchronous delivery (poll until a count is
/// reached); it is called with the number of messages expected so far.
public enum SMSGatewayConformance {
    /// Messages the suite sends: plain, with the domain-bound line, and with
    /// characters that break naive encoders (quotes, `&`, `=`, `+`, `%`,
    /// umlauts, a placeholder that must stay literal).
    public static let messages: [SMSMessage] = [
        SMSMessage(to: "+4915112345678", text: "Your riegel code is 123456"),
        SMSMessage(to: "+41791234567", text: "Code 654321 is valid for 5 minutes.\n@portal.example #654321"),
        SMSMessage(to: "+4915112345679", text: #"Ihr Code: 112233 & "mehr" = 100% +1 {credential} {to} äöü"#),
    ]

    /// Runs every rule against `gateway`.
    /// - Parameter delivered: given how many messages should have arrived by now,
    ///   returns all messages the far side received (it may wait for that many).
    public static func run(_ gateway: any SMSGateway,
                           delivered: @Sendable (_ expectedCount: Int) async throws -> [SMSMessage]) async throws {
        try check(!gateway.name.isEmpty, "a gateway has a name")
        do {
            try await gateway.checkReadiness()
        } catch {
            throw ConformanceFailure("a usable gateway is ready, but checkReadiness threw \(error)")
        }
        let before = try await delivered(0).count
        var expected: [SMSMessage] = []
        for message in messages {
            do {
                try await gateway.send(message)
            } catch {
                throw ConformanceFailure("send succeeds on a working gateway, but threw \(error)")
            }
            expected.append(message)
            let got = Array(try await delivered(before + expected.count).dropFirst(before))
            try check(got.count == expected.count, "one send delivers exactly one message (expected \(expected.count), got \(got.count))")
            try check(got.last?.to == message.to, "the number arrives unchanged")
            try check(got.last?.text == message.text, "the text arrives unchanged (sent \(message.text.debugDescription), got \(String(describing: got.last?.text.debugDescription)))")
        }
        let burst = (0..<4).map { SMSMessage(to: "+3361234567\($0)", text: "Concurrent code 90000\($0)") }
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for message in burst { group.addTask { try await gateway.send(message) } }
                try await group.waitForAll()
            }
        } catch {
            throw ConformanceFailure("concurrent sends succeed, but one threw \(error)")
        }
        let all = Array(try await delivered(before + expected.count + burst.count).dropFirst(before + expected.count))
        try check(Set(all) == Set(burst) && all.count == burst.count, "concurrent sends each deliver exactly one intact message")
        try await gateway.checkReadiness()
    }

    static func check(_ condition: Bool, _ rule: String) throws {
        if !condition { throw ConformanceFailure(rule) }
    }
}
