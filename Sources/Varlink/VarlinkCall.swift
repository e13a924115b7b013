/// One method call as received by a service, after routing and parameter validation.
public struct VarlinkCall: Sendable {
    /// The interface name, e.g. `org.example.ping`.
    public var interface: String
    /// The unqualified method name, e.g. `Ping`.
    public var method: String
    /// The qualified method name as called, e.g. `org.example.ping.Ping`.
    public var qualifiedMethod: String
    /// The call parameters (empty when absent or `null`).
    public var parameters: [String: JSONValue]
    /// Whether the caller asked for several replies (`more: true`).
    public var more: Bool
    /// Whether the caller wants no reply at all (`oneway: true`).
    public var oneway: Bool
    /// Credentials of the calling process.
    public var peer: PeerCredentials

    /// Creates a call (mainly for tests of handlers).
    public init(interface: String, method: String, parameters: [String: JSONValue] = [:],
                more: Bool = false, oneway: Bool = false, peer: PeerCredentials = .unknown) {
        self.interface = interface
        self.method = method
        self.qualifiedMethod = "\(interface).\(method)"
        self.parameters = parameters
        self.more = more
        self.oneway = oneway
        self.peer = peer
    }

    /// Creates a call reusing the already known qualified name (no string building per call).
    init(interface: String, method: String, qualifiedMethod: String, parameters: [String: JSONValue],
         more: Bool, oneway: Bool, peer: PeerCredentials) {
        self.interface = interface
        self.method = method
        self.qualifiedMethod = qualifiedMethod
        self.parameters = parameters
        self.more = more
        self.oneway = oneway
        self.peer = peer
    }

    /// The parameter named `name`, or `nil` if absent.
    public subscript(name: String) -> JSONValue? { parameters[name] }
}
