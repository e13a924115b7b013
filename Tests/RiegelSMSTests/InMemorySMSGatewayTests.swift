import RiegelCore
import RiegelTesting
import Testing

/// The fake service tests use keeps the same port rules as the real gateways.
@Suite struct InMemorySMSGatewayTests {
    @Test func passesTheGatewayConformanceSuite() async throws {
        let fake = InMemorySMSGateway()
        try await SMSGatewayConformance.run(fake) { _ in fake.delivered }
    }

    @Test func canBeToldToFailAndRecordsOnlyDeliveries() async throws {
        let fake = InMemorySMSGateway(name: "m")
        fake.behavior = .fail(.rejected(gateway: "m", reason: "HTTP 500"))
        await #expect(throws: SMSGatewayError.rejected(gateway: "m", reason: "HTTP 500")) {
            try await fake.send(SMSMessage(to: "+4915112345678", text: "1"))
        }
        #expect(fake.attempts == 1 && fake.delivered.isEmpty)
        fake.behavior = .deliver
        try await fake.send(SMSMessage(to: "+4915112345678", text: "2"))
        #expect(fake.delivered.map(\.text) == ["2"])
    }
}
