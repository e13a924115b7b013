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

