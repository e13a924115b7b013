import Logging
import Metrics
import RiegelCore

/// Tries gateways in order (`[sms] gateways`): a send that fails or times out
/// moves on to the next; when every one failed it throws
/// ``SMSGatewayError/unavailable(gateway:reason:)`` for gateway `all`, with
/// each gateway's error kind in the reason (`outbox: unavailable; kannel: timed out`).
///
/// Each gateway enforces its own timeout. Cancellation of the caller stops
/// the failover at once.
///
/// Every try is counted (`riegel_sms_sends_total{gateway,country_code,outcome}`),
/// and so is every move to the next gateway
/// (`riegel_sms_failovers_total{from_gateway,to_gateway}`); the number itself
/// never becomes a label, only its country calling code.
public struct FailoverSMSGateway: SMSGateway {
    /// The name this composite answers to (`failover`).
    public let name: String
    /// The gateways, in the order they are tried.
    public let gateways: [any SMSGateway]
    private let logger: Logger
    private let metrics: any MetricsFactory

    /// A failover over `gateways`, tried in order; `metrics` counts the tries.
    public init(name: String = "failover", gateways: [any SMSGateway], logger: Logger,
                metrics: any MetricsFactory = NOOPMetricsHandler.instance) {
        self.name = name
        self.gateways = gateways
        self.logger = logger
        self.metrics = metrics
    }

    /// Sends through the first gateway that takes the message.
    public func send(_ message: SMSMessage) async throws {
        var failures: [String] = []
        let country = Self.countryCode(of: message.to)
        var previous: String?
        for gateway in gateways {
            try Task.checkCancellation()
            if let previous {
                Counter(label: "riegel_sms_failovers_total",
                        dimensions: [("from_gateway", previous), ("to_gateway", gateway.name)], factory: metrics).increment()
            }
            previous = gateway.name
            do {
                try await gateway.send(message)
                count(gateway: gateway.name, country: country, outcome: "sent")
                if !failures.isEmpty {
                    logger.notice("SMS sent after failover", metadata: [
                        "sms.gateway": "\(gateway.name)", "sms.failed": "\(failures.joined(separator: "; "))",
                    ])
                }
                return
            } catch let error as CancellationError {
                count(gateway: gateway.name, country: country, outcome: "cancelled")
                throw error
            } catch {
                count(gateway: gateway.name, country: country, outcome: Self.outcome(of: error))
                let summary = "\(gateway.name): \(Self.kind(of: error))"
                failures.append(summary)
                logger.warning("SMS gateway failed, trying the next", metadata: [
                    "sms.gateway": "\(gateway.name)", "sms.error": "\(Self.safeDescription(error))",
                    "sms.to": "\(AuditPhoneMask.mask(message.to))",
                ])
            }
        }
        let reason = failures.isEmpty ? "no gateway is configured; list one in [sms] gateways" : failures.joined(separator: "; ")
        logger.error("no SMS gateway took the message", metadata: ["sms.failed": "\(reason)"])
        throw SMSGatewayError.unavailable(gateway: "all", reason: reason)
    }

    /// Checks every gateway; throws if any is not ready (startup fails closed), naming each that failed.
    public func checkReadiness() async throws {
        var failures: [String] = []
        for gateway in gateways {
            do {
                try await gateway.checkReadiness()
            } catch {
                failures.append(Self.safeDescription(error))
            }
        }
        if gateways.isEmpty { failures.append("no gateway is configured; list one in [sms] gateways") }
        if !failures.isEmpty {
            throw SMSGatewayError.unavailable(gateway: name, reason: failures.joined(separator: "; "))
        }
    }

    /// The country calling code of an E.164 recipient, `unknown` if it does not parse.
    static func countryCode(of recipient: String) -> String {
        (try? PhoneNumber(parsing: recipient))?.countryCode ?? "unknown"
    }

    /// The `outcome` label of a failed try: `timed_out`, `rejected`, `unavailable` or `failed`.
    static func outcome(of error: any Error) -> String {
        switch error as? SMSGatewayError {
        case .timedOut?: "timed_out"
        case .rejected?: "rejected"
        case .unavailable?: "unavailable"
        case nil: "failed"
        }
    }

    private func count(gateway: String, country: String, outcome: String) {
        Counter(label: "riegel_sms_sends_total",
                dimensions: [("gateway", gateway), ("country_code", country), ("outcome", outcome)],
                factory: metrics).increment()
    }

    /// `timed out`, `rejected (HTTP 500)`, `unavailable`, or `failed` for errors outside the port's contract.
    static func kind(of error: any Error) -> String {
        switch error as? SMSGatewayError {
        case .timedOut?: "timed out"
        case .rejected(_, let reason)?: "rejected (\(reason))"
        case .unavailable?: "unavailable"
        case nil: "failed"
        }
    }

    /// An error's description when it is a port error (which carries no secrets), else only its type.
    static func safeDescription(_ error: any Error) -> String {
        if let error = error as? SMSGatewayError { return error.description }
        return "error of type \(type(of: error))"
    }
}
