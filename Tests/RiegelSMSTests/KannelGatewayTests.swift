import AsyncHTTPClient
import Foundation
import Logging
import RiegelCore
import RiegelSMS
import RiegelTesting
import Testing

/// The http gateway with the Kannel preset against a real Kannel: bearerbox,
/// smsbox's sendsms interface and a fake SMSC on loopback; what arrives is read
/// on the fake SMSC's side.
@Suite(.serialized, .enabled(if: KannelHarness.canRun, "Kannel is not installed and cannot be installed (not root or no apt)"))
struct KannelGatewayTests {
    static let logger = Logger(label: "test.sms.kannel")

    /// Runs `body` against a fresh Kannel that is always stopped afterwards.
    func withKannel(_ body: (KannelHarness) async throws -> Void) async throws {
        let kannel = try await KannelHarness.start()
        do {
            try await body(kannel)
        } catch {
            await kannel.stop()
            throw error
        }
        await kannel.stop()
    }

    @Test(.timeLimit(.minutes(2))) func kannelPresetDeliversNumberAndTextToTheFakeSMSC() async throws {
        try await withKannel { kannel in
            let gateway = try HTTPSMSGateway(
                configuration: .kannel(url: kannel.sendsmsURL, username: KannelHarness.username,
                                       passwordCredential: kannel.passwordFile, timeout: .seconds(5)),
                logger: Self.logger)
            try await gateway.send(SMSMessage(to: "+4915112345678", text: "Your riegel code is 482913"))
            let first = try await kannel.waitForMessages(1)
            #expect(first == [SMSMessage(to: "+4915112345678", text: "Your riegel code is 482913")])

            try await SMSGatewayConformance.run(gateway) { expected in try await kannel.waitForMessages(expected) }
        }
    }

    @Test(.timeLimit(.minutes(2))) func aWrongPasswordIsRejectedWith403() async throws {
        try await withKannel { kannel in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let wrong = try dir.write("wrong", "not-the-password")
            let gateway = try HTTPSMSGateway(
                configuration: .kannel(url: kannel.sendsmsURL, username: KannelHarness.username, passwordCredential: wrong),
                logger: Self.logger)
            await #expect(throws: SMSGatewayError.rejected(gateway: "kannel", reason: "HTTP 403")) {
                try await gateway.send(SMSMessage(to: "+4915112345678", text: "Code 111111"))
            }
            try await Task.sleep(for: .milliseconds(300))
            #expect(try kannel.received().isEmpty, "nothing reaches the SMSC")
        }
    }
}
