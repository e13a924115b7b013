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
