/// A gateway that cannot be built from its settings (a missing credential, a
/// malformed URL); thrown at startup so the daemon fails closed.
public struct SMSGatewaySetupError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The gateway's name.
    public var gateway: String
    /// What is wrong and how to fix it.
    public var message: String

    /// A setup error for `gateway`.
    public init(gateway: String, _ message: String) {
        self.gateway = gateway
        self.message = message
    }

    /// The gateway and the problem with its fix, for the startup error.
    public var description: String { "SMS gateway \(gateway): \(message)" }
}
