import Logging
import MetricsTestKit
import RiegelCore
import RiegelSMS
import RiegelTesting
import Testing

/// The failover gateway counts every try by gateway, country calling code and
/// outcome, and every move to the next gateway (issue 18); the number itself
/// never becomes a label.
@Suite struct FailoverSMSGatewayMetricsTests {
    static let logger = Logger(label: "test.sms.failover.metrics")

    @Test func eachTryIsCountedByGatewayCountryAndOutcomeAndEachMoveOnAsAFailover() async throws {
        let m = TestMetrics()
        let first = InMemorySMSGateway(name: "first", behavior: .fail(.unavailable(gateway: "first", reason: "down")))
        let second = InMemorySMSGateway(name: "second")
        let failover = FailoverSMSGateway(gateways: [first, second], logger: Self.logger, metrics: m)
        try await failover.send(SMSMessage(to: "+4915112345678", text: "Code 123456"))
        try await failover.send(SMSMessage(to: "+33612345678", text: "Code 654321"))
        let sends = "riegel_sms_sends_total"
        #expect(try m.expectCounter(sends, [("gateway", "first"), ("country_code", "49"), ("outcome", "unavailable")])
            .totalValue == 1)
        #expect(try m.expectCounter(sends, [("gateway", "second"), ("country_code", "49"), ("outcome", "sent")])
            .totalValue == 1)
        #expect(try m.expectCounter(sends, [("gateway", "second"), ("country_code", "33"), ("outcome", "sent")])
            .totalValue == 1)
        #expect(try m.expectCounter("riegel_sms_failovers_total", [("from_gateway", "first"), ("to_gateway", "second")])
            .totalValue == 2)
        for counter in m.counters {
            for (_, value) in counter.dimensions {
                #expect(!value.contains("12345678"), "a number reached a label: \(counter.label)")
            }
        }
    }

    @Test func aGatewayThatTimesOutIsCountedAsTimedOut() async throws {
        let m = TestMetrics()
        let only = InMemorySMSGateway(name: "slow", behavior: .fail(.timedOut(gateway: "slow")))
        await #expect(throws: SMSGatewayError.self) {
            try await FailoverSMSGateway(gateways: [only], logger: Self.logger, metrics: m)
                .send(SMSMessage(to: "+4915112345678", text: "x"))
        }
        #expect(try m.expectCounter("riegel_sms_sends_total",
                                    [("gateway", "slow"), ("country_code", "49"), ("outcome", "timed_out")]).totalValue == 1)
        #expect(m.counters(label: "riegel_sms_failovers_total").isEmpty)
    }
}
