import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import RiegelCore

/// The `http` gateway: one HTTP(S) request per message to a provider such as
/// Kannel's sendsms, built from the templates of an ``HTTPSMSGatewayConfiguration``.
///
/// Success is a status from `successStatus` (any 2xx when nil) and, when set,
/// `successBodyContains` in the first 64 KiB of the body. A send that does not
/// finish within the timeout is ``SMSGatewayError/timedOut(gateway:)``; a host
/// that cannot be reached is ``SMSGatewayError/unavailable(gateway:reason:)``;
/// any other answer is ``SMSGatewayError/rejected(gateway:reason:)`` with
/// `HTTP <status>` as the reason.
///
/// ``checkReadiness()`` does not contact the provider (that could cost money
/// or count against its limits); it re-checks what init checked: the URL, the
/// method and body settings, and that the credential was read.
///
/// - Important: the message text, the full number and the credential never
///   reach a log line or an error; the credential is read once, at init.
public struct HTTPSMSGateway: SMSGateway {
    /// The gateway's settings.
    public let configuration: HTTPSMSGatewayConfiguration
    private let httpClient: HTTPClient
    private let logger: Logger
    private let secret: String?
    private let target: String

    /// The gateway's name from the config.
    public var name: String { configuration.name }

    /// A gateway sending through `httpClient`.
    ///
    /// Prefer a client from ``makeHTTPClient(eventLoopGroup:)``: `HTTPClient.shared`
    /// retries refused connections until the timeout, so a dead provider then
    /// costs the whole timeout before failover moves on.
    /// - Parameter environment: where `CREDENTIALS_DIRECTORY` is looked up.
    /// - Throws: ``SMSGatewaySetupError`` when the settings are unusable or the credential cannot be read.
    public init(configuration: HTTPSMSGatewayConfiguration, httpClient: HTTPClient = .shared, logger: Logger,
                environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.configuration = configuration
        self.httpClient = httpClient
        self.logger = logger
        target = try Self.validate(configuration)
        secret = try configuration.credential.map {
            try SMSCredential.load($0, gateway: configuration.name, environment: environment)
        }
    }

    /// An HTTP client suited to SMS gateways: a refused connection fails at
    /// once (no retries until the deadline) and redirects are not followed
    /// (so a credential in the query never travels to another host).
    /// The caller owns it and shuts it down.
    public static func makeHTTPClient(eventLoopGroup: any EventLoopGroup = HTTPClient.defaultEventLoopGroup) -> HTTPClient {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: eventLoopGroup, configuration: configuration)
    }

    /// Sends one request for `message` and judges the answer.
    public func send(_ message: SMSMessage) async throws {
        let request = try makeRequest(message)
        let limit = configuration.successBodyContains == nil ? 0 : 64 * 1024
        let deadline = NIODeadline.now() + TimeAmount(configuration.timeout)
        let (client, logger, name) = (httpClient, logger, name)
        let status: Int
        let body: String
        do {
            // AHC's deadline classifies the failure; the outer timeout is only a backstop.
            (status, body) = try await withSMSTimeout(configuration.timeout + .milliseconds(500), gateway: name) {
                let response = try await client.execute(request, deadline: deadline, logger: logger)
                var bytes = ByteBuffer()
                for try await chunk in response.body {
                    var chunk = chunk
                    if bytes.readableBytes < limit { bytes.writeBuffer(&chunk) }
                }
                return (Int(response.status.code), String(buffer: bytes))
            }
        } catch let error as SMSGatewayError {
            throw report(error, message)
        } catch let error as CancellationError {
            throw error
        } catch {
            throw report(classify(error), message)
        }
        let statusOK = configuration.successStatus?.contains(status) ?? (200..<300).contains(status)
        guard statusOK else { throw report(.rejected(gateway: name, reason: "HTTP \(status)"), message) }
        if let expected = configuration.successBodyContains, !body.contains(expected) {
            throw report(.rejected(gateway: name, reason: "HTTP \(status) without \"\(expected)\" in the body"), message)
        }
        logger.debug("SMS handed to the gateway", metadata: [
            "sms.gateway": "\(name)", "sms.to": "\(AuditPhoneMask.mask(message.to))", "http.status": "\(status)",
        ])
    }

    /// Checks the settings and the credential again; does not contact the provider.
    public func checkReadiness() async throws {
        do {
            _ = try Self.validate(configuration)
        } catch let error as SMSGatewaySetupError {
            throw SMSGatewayError.unavailable(gateway: name, reason: error.message)
        }
        if configuration.usesCredential, secret == nil {
            throw SMSGatewayError.unavailable(gateway: name, reason: "templates use {credential} but no credential is set")
        }
    }

    /// The request for `message`: URL with query, headers and body filled in.
    func makeRequest(_ message: SMSMessage) throws -> HTTPClientRequest {
        var values = ["to": message.to, "text": message.text]
        if let secret { values["credential"] = secret }
        var url = configuration.url
        if !configuration.query.isEmpty {
            url += (url.contains("?") ? "&" : "?") + GatewayRequestTemplate.encodedPairs(configuration.query, values)
        }
        var request = HTTPClientRequest(url: url)
        switch configuration.method {
        case "POST": request.method = .POST
        case "PUT": request.method = .PUT
        default: request.method = .GET
        }
        for (field, template) in configuration.headers.sorted(by: { $0.key < $1.key }) {
            let value = GatewayRequestTemplate.render(template, values)
            guard !value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" }) else {
                throw SMSGatewayError.rejected(gateway: name, reason: "header \(field) would contain a line break")
            }
            request.headers.replaceOrAdd(name: field, value: value)
        }
        if let form = configuration.form {
            setBody(&request, GatewayRequestTemplate.encodedPairs(form, values), type: "application/x-www-form-urlencoded")
        } else if let json = configuration.json {
            setBody(&request, GatewayRequestTemplate.jsonBody(json, values), type: "application/json")
        }
        return request
    }

    private func setBody(_ request: inout HTTPClientRequest, _ body: String, type: String) {
        if !request.headers.contains(name: "Content-Type") { request.headers.add(name: "Content-Type", value: type) }
        request.body = .bytes(ByteBuffer(string: body))
    }

    /// Logs a failed send (masked number, no text) and hands the error back.
    private func report(_ error: SMSGatewayError, _ message: SMSMessage) -> SMSGatewayError {
        logger.notice("SMS gateway did not take the message", metadata: [
            "sms.gateway": "\(name)", "sms.to": "\(AuditPhoneMask.mask(message.to))", "sms.error": "\(error)",
        ])
        return error
    }

    /// Maps a transport error to timed out or unavailable, without echoing
    /// anything that could hold the rendered request.
    func classify(_ error: any Error) -> SMSGatewayError {
        if let error = error as? HTTPClientError {
            let timeouts: [HTTPClientError] = [.deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout,
                                               .getConnectionFromPoolTimeout, .tlsHandshakeTimeout]
            if timeouts.contains(error) { return .timedOut(gateway: name) }
            if error == .remoteConnectionClosed {
                return .unavailable(gateway: name, reason: "\(target) closed the connection without an answer")
            }
            let kind = String(describing: error).prefix { $0 != "(" }
            return .unavailable(gateway: name, reason: "request to \(target) failed: \(kind)")
        }
        if let error = error as? ChannelError, case .connectTimeout = error { return .timedOut(gateway: name) }
        if let io = Self.findIOError(error) {
            return .unavailable(gateway: name, reason: "cannot connect to \(target): \(String(cString: strerror(io.errnoCode)))")
        }
        return .unavailable(gateway: name, reason: "cannot connect to \(target) (\(type(of: error)))")
    }

    /// The `IOError` inside `error` (NIO wraps connect failures in per-address lists).
    static func findIOError(_ error: Any, depth: Int = 0) -> IOError? {
        if let io = error as? IOError { return io }
        guard depth < 4 else { return nil }
        for child in Mirror(reflecting: error).children {
            if let found = findIOError(child.value, depth: depth + 1) { return found }
        }
        return nil
    }

    /// Checks URL, method and body settings; returns `host:port` for messages.
    static func validate(_ c: HTTPSMSGatewayConfiguration) throws -> String {
        func fail(_ message: String) -> SMSGatewaySetupError { SMSGatewaySetupError(gateway: c.name, message) }
        guard let url = URL(string: c.url), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, !host.isEmpty else {
            throw fail("\"\(c.url)\" is not an http(s) URL; use e.g. \"http://127.0.0.1:13013/cgi-bin/sendsms\"")
        }
        guard ["GET", "POST", "PUT"].contains(c.method) else {
            throw fail("method \"\(c.method)\" is not supported; use \"GET\", \"POST\" or \"PUT\"")
        }
        if c.form != nil, c.json != nil { throw fail("a gateway sends either a form or a json body; remove one of them") }
        if c.method == "GET", c.form != nil || c.json != nil {
            throw fail("GET requests carry no body; use \"POST\" with form or json, or move the fields to query")
        }
        if c.successStatus?.isEmpty == true { throw fail("success_status is empty; list statuses such as [200, 202] or remove it") }
        if c.usesCredential, c.credential == nil {
            throw fail("templates use {credential} but no credential is set; add credential = \"NAME\"")
        }
        guard c.timeout > .zero else { throw fail("timeout must be positive; use e.g. \"5s\"") }
        return "\(host):\(url.port ?? (scheme == "https" ? 443 : 80))"
    }
}

extension TimeAmount {
    /// The same span as a Swift `Duration`.
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
