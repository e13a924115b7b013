import AsyncHTTPClient
import Foundation
import Logging
import RiegelCore
import RiegelSMS
import RiegelTesting
import Testing

/// The http gateway against a local Python HTTP server: templating, status
/// and body judgement, timeouts, a dead host, credentials.
@Suite(.serialized) struct HTTPSMSGatewayTests {
    static let logger = Logger(label: "test.sms.http")
    static let message = SMSMessage(to: "+4915112345678", text: "Ihr Code 123456 & mehr")

    /// Runs `body` with a fresh server and temp directory, always cleaned up.
    func withServer(_ body: (RecordingHTTPServer, TemporaryDirectory) async throws -> Void) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let server = try await RecordingHTTPServer(in: dir)
        do {
            try await body(server, dir)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    func expectNoSecrets(_ error: SMSGatewayError, sourceLocation: SourceLocation = #_sourceLocation) {
        let text = error.description
        #expect(!text.contains("123456") && !text.contains("4915112345678") && !text.contains("s3cret"),
                "error leaks a secret: \(text)", sourceLocation: sourceLocation)
    }

    @Test func getWithQueryTemplatesAndCredentialFile() async throws {
        try await withServer { server, dir in
            let secret = try dir.write("kannel-password", "s3cret&=?\n")
            let gateway = try HTTPSMSGateway(configuration: .kannel(url: server.url("/cgi-bin/sendsms"), username: "riegel",
                                                                    passwordCredential: secret, from: "Portal"),
                                             logger: Self.logger)
            // Kannel answers 202; this server 200, so accept both for this test.
            var config = gateway.configuration
            config.successStatus = [200, 202]
            try await HTTPSMSGateway(configuration: config, logger: Self.logger).send(Self.message)
            let request = try #require(try server.requests().last)
            #expect(request.method == "GET")
            #expect(request.path == "/cgi-bin/sendsms")
            #expect(request.query == ["username": "riegel", "password": "s3cret&=?", "to": "+4915112345678",
                                      "text": "Ihr Code 123456 & mehr", "charset": "UTF-8", "from": "Portal"])
        }
    }

    @Test func postFormBodyWithHeadersFromASystemdCredential() async throws {
        try await withServer { server, dir in
            try dir.write("sms-token", "tok-42")
            let config = HTTPSMSGatewayConfiguration(
                name: "provider", url: server.url("/send?fixed=1"), method: "POST", query: ["q": "{to}"],
                form: ["number": "{to}", "message": "{text}", "key": "{credential}"],
                headers: ["X-Api-Key": "{credential}", "X-Number": "{to}"], credential: "sms-token")
            let gateway = try HTTPSMSGateway(configuration: config, logger: Self.logger,
                                             environment: ["CREDENTIALS_DIRECTORY": dir.path])
            try await gateway.send(Self.message)
            let request = try #require(try server.requests().last)
            #expect(request.method == "POST")
            #expect(request.query == ["fixed": "1", "q": "+4915112345678"])
            #expect(request.form == ["number": "+4915112345678", "message": "Ihr Code 123456 & mehr", "key": "tok-42"])
            #expect(request.headers["x-api-key"] == "tok-42")
            #expect(request.headers["x-number"] == "+4915112345678")
            #expect(request.headers["content-type"] == "application/x-www-form-urlencoded")
            #expect(!request.body.contains(" "), "form values are percent-encoded")
        }
    }

    @Test func jsonProviderPresetSendsAJSONBodyWithABearerToken() async throws {
        try await withServer { server, dir in
            let token = try dir.write("token", "abc.def")
            let config = HTTPSMSGatewayConfiguration.jsonProvider(
                name: "json", url: server.url("/v1/sms"), tokenCredential: token, toField: "recipient",
                extraFields: ["sender": "Portal"])
            let text = "Line \"one\"\nLine two \\ {credential} ä€"
            try await HTTPSMSGateway(configuration: config, logger: Self.logger).send(SMSMessage(to: "+41791234567", text: text))
            let request = try #require(try server.requests().last)
            #expect(request.method == "POST")
            #expect(request.json == ["recipient": "+41791234567", "text": text, "sender": "Portal"])
            #expect(request.headers["authorization"] == "Bearer abc.def")
            #expect(request.headers["content-type"] == "application/json")
        }
    }

    @Test func passesTheGatewayConformanceSuiteWithQueryAndJSONBodies() async throws {
        try await withServer { server, dir in
            let secret = try dir.write("secret", "s3cret")
            for config in [
                HTTPSMSGatewayConfiguration(name: "q", url: server.url("/q"), query: ["to": "{to}", "text": "{text}", "k": "{credential}"],
                                            credential: secret),
                HTTPSMSGatewayConfiguration.jsonProvider(name: "j", url: server.url("/j"), tokenCredential: secret),
            ] {
                let path = "/" + config.name
                try await SMSGatewayConformance.run(try HTTPSMSGateway(configuration: config, logger: Self.logger)) { _ in
                    try server.requests().filter { $0.path == path }.map { r in
                        let fields = r.json ?? r.query
                        return SMSMessage(to: fields["to"] ?? "", text: fields["text"] ?? "")
                    }
                }
            }
        }
    }

    @Test func status500IsRejectedWithTheStatusOnly() async throws {
        try await withServer { server, _ in
            let gateway = try HTTPSMSGateway(configuration: .init(name: "p", url: server.url("/status/500"), query: ["text": "{text}"]),
                                             logger: Self.logger)
            do {
                try await gateway.send(Self.message)
                Issue.record("HTTP 500 must not count as sent")
            } catch let error as SMSGatewayError {
                #expect(error == .rejected(gateway: "p", reason: "HTTP 500"))
                expectNoSecrets(error)
            }
        }
    }

    @Test func successStatusListAndBodyMatchDecideSuccess() async throws {
        try await withServer { server, _ in
            let strict = try HTTPSMSGateway(configuration: .init(name: "p", url: server.url("/ok"), successStatus: [202]),
                                            logger: Self.logger)
            await #expect(throws: SMSGatewayError.rejected(gateway: "p", reason: "HTTP 200")) { try await strict.send(Self.message) }

            let created = try HTTPSMSGateway(configuration: .init(name: "p", url: server.url("/status/201")), logger: Self.logger)
            try await created.send(Self.message)  // nil success_status: any 2xx

            let body = try HTTPSMSGateway(configuration: .init(name: "p", url: server.url("/ok"), successBodyContains: "OK: queued"),
                                          logger: Self.logger)
            try await body.send(Self.message)
            let wrongBody = try HTTPSMSGateway(configuration: .init(name: "p", url: server.url("/ok"), successBodyContains: "ACCEPTED"),
                                               logger: Self.logger)
            await #expect(throws: SMSGatewayError.rejected(gateway: "p", reason: #"HTTP 200 without "ACCEPTED" in the body"#)) {
                try await wrongBody.send(Self.message)
            }
        }
    }

    @Test func aServerThatNeverAnswersTimesOutWithinTheTimeout() async throws {
        let silent = try LoopbackSocket(listening: true)
        defer { silent.close() }
        let gateway = try HTTPSMSGateway(configuration: .init(name: "slow", url: "http://127.0.0.1:\(silent.port)/send",
                                                              query: ["text": "{text}"], timeout: .milliseconds(600)),
                                         logger: Self.logger)
        let start = ContinuousClock.now
        await #expect(throws: SMSGatewayError.timedOut(gateway: "slow")) { try await gateway.send(Self.message) }
        let elapsed = ContinuousClock.now - start
        #expect(elapsed >= .milliseconds(500) && elapsed < .seconds(3), "took \(elapsed)")
    }

    @Test func nothingListeningIsUnavailableAtOnceWithTheGatewayClient() async throws {
        let closed = try LoopbackSocket(listening: false)
        defer { closed.close() }
        let client = HTTPSMSGateway.makeHTTPClient()
        let config = HTTPSMSGatewayConfiguration(name: "down", url: "http://127.0.0.1:\(closed.port)/send", timeout: .seconds(5))
        let start = ContinuousClock.now
        do {
            try await HTTPSMSGateway(configuration: config, httpClient: client, logger: Self.logger).send(Self.message)
            Issue.record("a refused connection must not count as sent")
        } catch let SMSGatewayError.unavailable(gateway, reason) {
            #expect(gateway == "down")
            #expect(reason == "cannot connect to 127.0.0.1:\(closed.port): Connection refused")
        } catch {
            Issue.record("expected unavailable, got \(error)")
        }
        #expect(ContinuousClock.now - start < .seconds(2))
        try await client.shutdown()
    }

    @Test func nothingListeningIsUnavailableWithTheSharedClientToo() async throws {
        let closed = try LoopbackSocket(listening: false)
        defer { closed.close() }
        let config = HTTPSMSGatewayConfiguration(name: "down", url: "http://127.0.0.1:\(closed.port)/send", timeout: .seconds(1))
        do {
            try await HTTPSMSGateway(configuration: config, logger: Self.logger).send(Self.message)
            Issue.record("a refused connection must not count as sent")
        } catch let error as SMSGatewayError {
            guard case .unavailable = error else { Issue.record("expected unavailable, got \(error)"); return }
        }
    }

    @Test func credentialsAreReadAtInitAndProblemsSayHowToFixThem() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let missingFile = HTTPSMSGatewayConfiguration.kannel(url: "http://127.0.0.1:1/", username: "u",
                                                             passwordCredential: dir.file("nope"))
        #expect { try HTTPSMSGateway(configuration: missingFile, logger: Self.logger) } throws: { error in
            (error as? SMSGatewaySetupError)?.message.contains("cannot read the credential file") == true
        }
        let systemdName = HTTPSMSGatewayConfiguration.kannel(url: "http://127.0.0.1:1/", username: "u", passwordCredential: "kannel")
        #expect { try HTTPSMSGateway(configuration: systemdName, logger: Self.logger, environment: [:]) } throws: { error in
            (error as? SMSGatewaySetupError)?.message.contains("LoadCredential=kannel:") == true
        }
        try dir.write("empty", "")
        #expect(throws: SMSGatewaySetupError.self) {
            try HTTPSMSGateway(configuration: .kannel(url: "http://127.0.0.1:1/", username: "u", passwordCredential: "empty"),
                               logger: Self.logger, environment: ["CREDENTIALS_DIRECTORY": dir.path])
        }
        let inlineTemplateWithoutCredential = HTTPSMSGatewayConfiguration(name: "x", url: "http://127.0.0.1:1/", query: ["k": "{credential}"])
        #expect(throws: SMSGatewaySetupError.self) { try HTTPSMSGateway(configuration: inlineTemplateWithoutCredential, logger: Self.logger) }
        #expect(throws: SMSGatewaySetupError.self) {
            try HTTPSMSGateway(configuration: .init(name: "x", url: "ftp://host/"), logger: Self.logger)
        }
        #expect(throws: SMSGatewaySetupError.self) {
            try HTTPSMSGateway(configuration: .init(name: "x", url: "http://host/", method: "GET", form: ["a": "b"]), logger: Self.logger)
        }
    }

    @Test func readinessChecksSettingsWithoutContactingTheProvider() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let secret = try dir.write("pw", "pw")
        // Port 1 has nothing listening: readiness is a settings check, not a request.
        let gateway = try HTTPSMSGateway(configuration: .kannel(url: "http://127.0.0.1:1/cgi-bin/sendsms", username: "u",
                                                                passwordCredential: secret), logger: Self.logger)
        try await gateway.checkReadiness()
    }

    @Test func aHeaderTemplateCannotSmuggleALineBreak() async throws {
        let gateway = try HTTPSMSGateway(configuration: .init(name: "h", url: "http://127.0.0.1:1/", headers: ["X-Text": "{text}"]),
                                         logger: Self.logger)
        await #expect(throws: SMSGatewayError.rejected(gateway: "h", reason: "header X-Text would contain a line break")) {
            try await gateway.send(SMSMessage(to: "+4915112345678", text: "a\r\nInjected: 1"))
        }
    }
}
