/// `[sms]`: one-time codes by SMS and the gateways that send them.
public struct SMSConfig: Sendable, Equatable {
    /// Gateway names tried in order (failover); each must be defined.
    public var gatewayOrder = ["outbox"]
    /// Every defined gateway by name, built-ins included.
    public var gateways: [String: SMSGatewayConfig]
    /// ResendChallenge before this is ResendTooSoon.
    public var resendCooldown = ConfigDuration.seconds(30)
    /// Host for the domain-bound `@host #code` line; nil: no such line.
    public var origin: String?
    /// Digits per code.
    public var codeLength = 6
    /// How long a code is valid.
    public var codeTTL = ConfigDuration.minutes(5)
    /// Wrong codes per challenge before it is spent.
    public var maxAttempts = 5
    /// Resends per challenge.
    public var maxResends = 3

    /// The defaults: only the built-in outbox under `stateDirectory`.
    public init(stateDirectory: String = DaemonConfig().stateDirectory) {
        gateways = SMSGatewayConfig.builtIns(stateDirectory: stateDirectory)
    }

    /// The gateways of ``gatewayOrder``, in that order.
    public var activeGateways: [SMSGatewayConfig] { gatewayOrder.compactMap { gateways[$0] } }

    static func read(_ s: inout ConfigSection, stateDirectory: String) -> SMSConfig {
        var c = SMSConfig(stateDirectory: stateDirectory)
        c.gatewayOrder = s.stringList("gateways", c.gatewayOrder)
        c.resendCooldown = s.duration("resend_cooldown", c.resendCooldown)
        c.origin = s.value("origin", nil) { node in
            ConfigValueError.string(node).flatMap { host in
                let ok = !host.isEmpty && host.count <= 253 && !host.hasPrefix(".") && !host.hasSuffix(".")
                    && host.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }
                return ok ? .success(Optional(host))
                    : .failure(.init("\"\(host)\" is not a host name; use the portal's domain, e.g. \"portal.example\""))
            }
        }
        c.codeLength = s.int("code_length", c.codeLength, in: 4...10)
        c.codeTTL = s.duration("code_ttl", c.codeTTL)
        c.maxAttempts = s.int("max_attempts", c.maxAttempts, in: 1...100)
        c.maxResends = s.int("max_resends", c.maxResends, in: 0...100)
        if c.resendCooldown >= c.codeTTL {
            s.report("resend_cooldown", "\(c.resendCooldown) is not shorter than code_ttl (\(c.codeTTL)), so no resend could ever happen; shorten it")
        }
        var written: Set<String> = []  // tables in the file, valid or not
        for (name, var gs) in s.tables("gateway") {
            written.insert(name)
            if let g = SMSGatewayConfig.read(&gs, name: name, base: c.gateways[name], stateDirectory: stateDirectory) {
                c.gateways[name] = g
            }
            gs.finish()
        }
        if c.gatewayOrder.isEmpty {
            s.report("gateways", "is empty; list at least one gateway, e.g. [\"outbox\"]")
        }
        var seen: Set<String> = []
        for name in c.gatewayOrder {
            if !seen.insert(name).inserted {
                s.report("gateways", "\"\(name)\" is listed twice; list each gateway once")
            } else if c.gateways[name] == nil, !written.contains(name) {
                let defined = c.gateways.keys.sorted().map { "\"\($0)\"" }.joined(separator: ", ")
                s.report("gateways", "\"\(name)\" is not defined; add a [sms.gateway.\(name)] table or use one of \(defined)")
            }
        }
        return c
    }
}
