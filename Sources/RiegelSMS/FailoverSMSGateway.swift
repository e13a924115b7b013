import Logging
import RiegelCore

/// Tries gateways in order (`[sms] gateways`): a send that fails or times out
/// moves on to the next; when every one failed it throws
/// ``SMSGatewayError/unavailable(gateway:reason:)`` for gateway `all`, with
/// each gateway's error kind in the reason (`outbox: unavailable; kannel: timed out`).
///
/// Each gateway enforces its own timeout. Cancellation of the caller stops
/// the failover at once.
public struct FailoverSMSGateway: SMSGateway {
    /// The name this composite answers to (`failover`).
    public let name: String
    /// The gateways, in the order they are tried.
    public let gateways: [any SMSGateway]
    private let logger: Logger

    /// A failover over `gateways`, tried in order.
    public init(name: String = "failover", gateways: [any SMSGateway], logger: Logger) {
        self.name = name
        self.gateways = gateways
        self.logger = logger
    }

    /// Sends through the first gateway that takes the message.
    public func send(_ message: SMSMessage) async throws {
        var failures: [String] = []
        for gateway in gateways {
            try Task.checkCancellation()
            do {
                try await gateway.send(message)
                if !failures.isEmpty {
                    logger.notice("SMS sent after failover", metadata: [
                        "sms.gateway": "\(gateway.name)", "sms.failed": "\(failures.joined(separator: "; "))",
                    ])
                }
                return
            } catch let error as CancellationError {
                throw error
            } catch {
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
