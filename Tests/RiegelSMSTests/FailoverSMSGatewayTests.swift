import Foundation
import Logging
import RiegelCore
import RiegelSMS
import RiegelTesting
import Testing

/// Gateways are tried in order; a failed or timed-out send moves on.
@Suite struct FailoverSMSGatewayTests {
    static let logger = Logger(label: "test.sms.failover")
    static let message = SMSMessage(to: "+4915112345678", text: "Code 123456")

    @Test func theFirstGatewayThatWorksDeliversAndLaterOnesAreNotTried() async throws {
        let first = InMemorySMSGateway(name: "first", behavior: .fail(.unavailable(gateway: "first", reason: "down")))
        let second = InMemorySMSGateway(name: "second")
        let third = InMemorySMSGateway(name: "third")
        try await FailoverSMSGateway(gateways: [first, second, third], logger: Self.logger).send(Self.message)
        #expect(first.attempts == 1 && first.delivered.isEmpty)
        #expect(second.delivered == [Self.message])
        #expect(third.attempts == 0)
    }

    @Test func aTimedOutGatewayMovesOnToTheNext() async throws {
        let slow = InMemorySMSGateway(name: "slow", behavior: .timeOut(after: .milliseconds(50)))
        let backup = InMemorySMSGateway(name: "backup")
        try await FailoverSMSGateway(gateways: [slow, backup], logger: Self.logger).send(Self.message)
        #expect(backup.delivered == [Self.message])
    }

    @Test func whenAllFailTheErrorIsUnavailableForAllWithEachKind() async throws {
        let gateways = [
            InMemorySMSGateway(name: "a", behavior: .fail(.unavailable(gateway: "a", reason: "cannot connect"))),
            InMemorySMSGateway(name: "b", behavior: .timeOut(after: .milliseconds(10))),
            InMemorySMSGateway(name: "c", behavior: .fail(.rejected(gateway: "c", reason: "HTTP 500"))),
        ]
        let failover = FailoverSMSGateway(gateways: gateways, logger: Self.logger)
        await #expect(throws: SMSGatewayError.unavailable(gateway: "all", reason: "a: unavailable; b: timed out; c: rejected (HTTP 500)")) {
            try await failover.send(Self.message)
        }
        #expect(gateways.allSatisfy { $0.attempts == 1 })
    }

    @Test func aHangingHTTPProviderTimesOutAndTheOutboxTakesOver() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let silent = try LoopbackSocket(listening: true)
        defer { silent.close() }
        let http = try HTTPSMSGateway(configuration: .init(name: "kannel", url: "http://127.0.0.1:\(silent.port)/", timeout: .milliseconds(300)),
                                      logger: Self.logger)
        let outbox = OutboxSMSGateway(path: dir.file("outbox.jsonl"), clock: ManualClock())
        try await FailoverSMSGateway(gateways: [http, outbox], logger: Self.logger).send(Self.message)
        #expect(try String(contentsOfFile: dir.file("outbox.jsonl"), encoding: .utf8).contains("+4915112345678"))
    }

    @Test func failoverPassesTheConformanceSuite() async throws {
        let dead = InMemorySMSGateway(name: "dead", behavior: .fail(.unavailable(gateway: "dead", reason: "down")))
        let live = InMemorySMSGateway(name: "live")
        try await SMSGatewayConformance.run(FailoverSMSGateway(gateways: [dead, live], logger: Self.logger)) { _ in live.delivered }
    }

    @Test func readinessNamesEveryGatewayThatIsNotReady() async throws {
        let broken = InMemorySMSGateway(name: "broken")
        broken.readinessError = .unavailable(gateway: "broken", reason: "no credential")
        let failover = FailoverSMSGateway(gateways: [InMemorySMSGateway(name: "ok"), broken], logger: Self.logger)
        await #expect(throws: SMSGatewayError.unavailable(gateway: "failover", reason: "SMS gateway broken is unavailable: no credential")) {
            try await failover.checkReadiness()
        }
        await #expect(throws: SMSGatewayError.self) {
            try await FailoverSMSGateway(gateways: [], logger: Self.logger).send(Self.message)
        }
    }

    @Test func cancellingTheCallerStopsAHangingGatewayWithoutFailingOver() async throws {
        let hanging = InMemorySMSGateway(name: "hang", behavior: .hang)
        let next = InMemorySMSGateway(name: "next")
        let task = Task { try await FailoverSMSGateway(gateways: [hanging, next], logger: Self.logger).send(Self.message) }
        try await Task.sleep(for: .milliseconds(50))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(next.attempts == 0)
    }
}
