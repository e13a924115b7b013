/// One text message to one phone.
///
/// - Important: the text holds a one-time code: never log it, and never log
///   the full number (use a masked form).
public struct SMSMessage: Sendable, Hashable {
    /// The recipient in E.164 (`+4915112345678`).
    public var to: String
    /// The message text.
    public var text: String

    /// A message.
    public init(to: String, text: String) {
        self.to = to
        self.text = text
    }
}

/// The port to something that delivers SMS (a file for development, an HTTP
/// provider such as Kannel, a site script).
public protocol SMSGateway: Sendable {
    /// The gateway's name from the config (`[sms.gateway.NAME]`).
    var name: String { get }
    /// Hands the message over for delivery; returns once the gateway accepted
    /// it, throws ``SMSGatewayError`` otherwise (a timeout included).
    func send(_ message: SMSMessage) async throws
    /// Whether the gateway can be used right now (startup check, `riegelctl status`).
    func checkReadiness() async throws
}

/// Why a gateway did not take a message.
/// - Important: no case carries the message text or the full number.
public enum SMSGatewayError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No answer within the gateway's timeout.
    case timedOut(gateway: String)
    /// The gateway answered, but not with success (e.g. an HTTP status).
    case rejected(gateway: String, reason: String)
    /// The gateway could not be reached or run.
    case unavailable(gateway: String, reason: String)

    public var description: String {
        switch self {
        case .timedOut(let g): "SMS gateway \(g) timed out"
        case .rejected(let g, let r): "SMS gateway \(g) rejected the message: \(r)"
        case .unavailable(let g, let r): "SMS gateway \(g) is unavailable: \(r)"
        }
    }
}
