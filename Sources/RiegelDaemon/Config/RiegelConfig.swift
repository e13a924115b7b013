import Foundation
import RiegelCore
import TOMLKit

/// The whole riegeld configuration, read from TOML (see `config/riegel.toml`
/// for every key). Every key has a default, so an empty file is a valid config.
///
/// Relative paths (`state_directory`, `socket_path`, outbox `path`,
/// `blocklist`) are kept as written and so resolve against riegeld's working
/// directory; production configs use absolute paths (systemd starts services in `/`).
/// `[audit] syslog` alone must be absolute (a relative one is a problem).
public struct RiegelConfig: Sendable, Equatable {
    /// `[daemon]`.
    public var daemon = DaemonConfig()
    /// `[storage]`.
    public var storage = StorageConfig()
    /// `[roles]`.
    public var roles = RolesConfig()
    /// `[session]`.
    public var session = SessionConfig()
    /// `[resource_class.NAME]`, built-ins included.
    public var resourceClasses = ResourceClassConfig.builtIns
    /// `[sms]` and `[sms.gateway.NAME]`.
    public var sms = SMSConfig()
    /// `[password]`.
    public var password = PasswordConfig()
    /// `[throttle]`.
    public var throttle = ThrottleConfig()
    /// `[device]`.
    public var device = DeviceConfig()
    /// `[factors]`.
    public var factors = FactorsConfig()
    /// `[keys]`.
    public var keys = KeysConfig()
    /// `[audit]`.
    public var audit = AuditConfig()
    /// `[metrics]`.
    public var metrics = MetricsConfig()

    /// The defaults.
    public init() {}

    /// Reads and checks the file at `path`.
    /// - Throws: ``ConfigError`` with every problem found, each as `FILE:LINE: message`.
    public static func load(path: String) throws -> RiegelConfig {
        let (config, problems) = analyze(path: path)
        guard problems.isEmpty, let config else { throw ConfigError(problems: problems) }
        return config
    }

    /// Every problem in the file at `path`; empty when it is valid (for `--check-config`).
    public static func check(path: String) -> [ConfigProblem] {
        analyze(path: path).problems
    }

    /// Parses `text` as if read from `fileName`.
    /// - Throws: ``ConfigError`` with every problem found.
    public static func parse(text: String, fileName: String = "<config>") throws -> RiegelConfig {
        let (config, problems) = analyze(text: text, fileName: fileName)
        guard problems.isEmpty else { throw ConfigError(problems: problems) }
        return config
    }

    /// Every problem in `text`; empty when it is valid.
    public static func check(text: String, fileName: String = "<config>") -> [ConfigProblem] {
        analyze(text: text, fileName: fileName).problems
    }

    static func analyze(path: String) -> (config: RiegelConfig?, problems: [ConfigProblem]) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let reason = FileManager.default.fileExists(atPath: path)
                ? "cannot read the file (check its permissions and that it is UTF-8 text)"
                : "cannot read: no such file; pass an existing file with --config PATH"
            return (nil, [ConfigProblem(file: path, line: 0, message: reason)])
        }
        let (config, problems) = analyze(text: text, fileName: path)
        return (config, problems)
    }

    /// Every key path the schema reads for `text` (gateway keys depend on the gateway types present).
    static func schemaKeyPaths(text: String) -> Set<[String]> {
        let context = ConfigContext(file: "<schema>", text: text)
        guard context.locator.headerWithoutKey == nil,
              case .table(let root)? = try? ConfigNode(TOMLTable(string: text)) else { return [] }
        _ = read(root, context: context)
        return context.knownPaths
    }

    /// Parses and checks; the config returned uses defaults where values were bad.
    static func analyze(text: String, fileName: String) -> (config: RiegelConfig, problems: [ConfigProblem]) {
        let context = ConfigContext(file: fileName, text: text)
        if let line = context.locator.headerWithoutKey {
            // Refused here: TOMLKit's parser would abort the process on it.
            context.report(line: line, "not valid TOML: a table header must start with a key "
                + "(a letter, digit, '_', '-' or a quote after '[' or '[[')")
            return (RiegelConfig(), context.problems)
        }
        if let line = context.locator.braceWhereElementExpected {
            // Refused here as well: toml++ asserts that no array element starts with '}'.
            context.report(line: line, "not valid TOML: '}' where an array element is expected")
            return (RiegelConfig(), context.problems)
        }
        let root: [String: ConfigNode]
        do {
            guard case .table(let t) = ConfigNode(try TOMLTable(string: text)) else { return (RiegelConfig(), []) }
            root = t
        } catch let error as TOMLParseError {
            context.report(line: error.source.begin.line, "not valid TOML: \(error.description)")
            return (RiegelConfig(), context.problems)
        } catch {
            context.report(line: 0, "not valid TOML: \(error)")
            return (RiegelConfig(), context.problems)
        }
        let config = read(root, context: context)
        let sorted = context.problems.enumerated()
            .sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }
            .map(\.element)
        return (config, sorted)
    }

    /// The schema's top level: one line per section.
    private static func read(_ root: [String: ConfigNode], context: ConfigContext) -> RiegelConfig {
        var top = ConfigSection(path: [], table: root, context: context)
        var c = RiegelConfig()
        c.daemon = section("daemon", &top, root, context, DaemonConfig.read)
        c.storage = section("storage", &top, root, context, StorageConfig.read)
        c.roles = section("roles", &top, root, context, RolesConfig.read)
        c.session = section("session", &top, root, context, SessionConfig.read)
        c.password = section("password", &top, root, context, PasswordConfig.read)
        c.throttle = section("throttle", &top, root, context, ThrottleConfig.read)
        c.device = section("device", &top, root, context, DeviceConfig.read)
        c.factors = section("factors", &top, root, context, FactorsConfig.read)
        c.keys = section("keys", &top, root, context, KeysConfig.read)
        c.audit = section("audit", &top, root, context, AuditConfig.read)
        c.metrics = section("metrics", &top, root, context, MetricsConfig.read)
        let stateDirectory = c.daemon.stateDirectory
        c.sms = section("sms", &top, root, context) { SMSConfig.read(&$0, stateDirectory: stateDirectory) }
        for (name, var s) in top.tables("resource_class") {
            if let problem = ResourceClass.nameProblem(name) {
                let shown = ResourceClassConfig.printable(name)
                context.report(line: context.locator.line(of: ["resource_class", name]),
                               "resource_class.\(shown): \(problem) (rename the table)")
                continue
            }
            c.resourceClasses[name] = ResourceClassConfig.read(&s, base: c.resourceClasses[name])
            s.finish()
        }
        top.finish()
        return c
    }

    private static func section<T>(_ key: String, _ top: inout ConfigSection, _ root: [String: ConfigNode],
                                   _ context: ConfigContext, _ read: (inout ConfigSection) -> T) -> T {
        top.allow(key)
        var s = ConfigSection.child(key, of: root, path: [], context: context)
        let value = read(&s)
        s.finish()
        return value
    }
}
