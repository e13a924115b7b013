import RiegelSMS

/// `[sms.gateway.NAME]`: one way of sending SMS.
public struct SMSGatewayConfig: Sendable, Equatable {
    /// The table's name, as listed in `[sms] gateways`.
    public var name: String
    /// How long one send may take before the next gateway is tried.
    public var timeout: ConfigDuration
    /// The gateway type and its settings.
    public var kind: Kind

    /// A gateway's type with its type-specific settings.
    public enum Kind: Sendable, Equatable {
        /// `type = "outbox"`: append JSON lines to a file (development, tests).
        case outbox(path: String)
        /// `type = "http"`: call an HTTP API such as Kannel's sendsms.
        case http(HTTPSMSGatewayConfiguration)
        /// `type = "command"`: run a program.
        case command(arguments: [String])

        /// The `type` value.
        public var typeName: String {
            switch self {
            case .outbox: "outbox"
            case .http: "http"
            case .command: "command"
            }
        }
    }

    /// A gateway with the given settings.
    public init(name: String, timeout: ConfigDuration = .seconds(10), kind: Kind) {
        self.name = name
        self.timeout = timeout
        self.kind = kind
    }

    /// Placeholders that templates and command arguments may use.
    public static let placeholders = ["to", "text", "credential"]

    /// Gateways that exist unless the config overrides them by name.
    public static func builtIns(stateDirectory: String) -> [String: SMSGatewayConfig] {
        ["outbox": SMSGatewayConfig(name: "outbox", kind: .outbox(path: defaultOutboxPath(stateDirectory)))]
    }

    static func defaultOutboxPath(_ stateDirectory: String) -> String {
        stateDirectory.hasSuffix("/") ? stateDirectory + "sms-outbox.jsonl" : stateDirectory + "/sms-outbox.jsonl"
    }

    /// Reads one gateway; `base` is the built-in of that name, whose type and
    /// settings apply to keys left out. Nil when the type is missing or unknown.
    static func read(_ s: inout ConfigSection, name: String, base: SMSGatewayConfig?, stateDirectory: String) -> SMSGatewayConfig? {
        let typeName = s.optionalString("type") ?? base?.kind.typeName
        let timeout = s.duration("timeout", base?.timeout ?? .seconds(10))
        switch typeName {
        case "outbox":
            var fallback = defaultOutboxPath(stateDirectory)
            if case .outbox(let path)? = base?.kind { fallback = path }
            return SMSGatewayConfig(name: name, timeout: timeout, kind: .outbox(path: s.nonEmptyString("path", fallback)))
        case "http":
            guard let http = HTTPSMSGatewayConfiguration.read(&s, name: name, timeout: timeout) else { return nil }
            return SMSGatewayConfig(name: name, timeout: timeout, kind: .http(http))
        case "command":
            let arguments = s.stringList("command", [])
            if arguments.isEmpty || arguments[0].isEmpty {
                s.report("command", #"a command gateway needs command = ["/path/to/program", "{to}", "{text}"]"#)
                return nil
            }
            for (i, argument) in arguments.enumerated() {
                checkPlaceholders(argument, in: s, key: "command", what: "argument \(i + 1)")
            }
            return SMSGatewayConfig(name: name, timeout: timeout, kind: .command(arguments: arguments))
        case nil:
            s.reportSection(#"a gateway needs a type; add type = "outbox", "http" or "command""#)
        case let other?:
            s.report("type", "\"\(other)\" is not a gateway type; use \"outbox\", \"http\" or \"command\"")
        }
        for key in s.table.keys { s.allow(key) }  // do not pile unknown-key errors on a bad type
        return nil
    }

    /// Reports `{name}` placeholders that are not in ``placeholders``.
    static func checkPlaceholders(_ template: String, in s: ConfigSection, key: String, what: String) {
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: "}") else { return }
            let name = String(after[..<close])
            if !name.isEmpty, name.allSatisfy({ $0.isLetter || $0 == "_" }), !placeholders.contains(name) {
                let allowed = placeholders.map { "{\($0)}" }.joined(separator: ", ")
                s.report(key, "\(what): unknown placeholder {\(name)}; use \(allowed)")
            }
            rest = after[after.index(after: close)...]
        }
    }
}
