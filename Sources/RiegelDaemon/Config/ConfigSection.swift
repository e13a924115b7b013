/// Reads the keys of one TOML table against a schema: each typed accessor
/// names a key, its default and its allowed values; ``finish()`` then
/// reports every key no accessor asked for as unknown.
///
/// A section's schema is the list of accessor calls in its `read` function,
/// so adding a key is one line there plus the property.
struct ConfigSection {
    let path: [String]
    let table: [String: ConfigNode]
    let context: ConfigContext
    private var known: [String] = []

    init(path: [String], table: [String: ConfigNode], context: ConfigContext) {
        self.path = path
        self.table = table
        self.context = context
    }

    /// The section at `key` of `parent`, or an empty one if absent or not a table.
    static func child(_ key: String, of root: [String: ConfigNode], path: [String], context: ConfigContext) -> ConfigSection {
        let full = path + [key]
        switch root[key] {
        case .table(let t)?: return ConfigSection(path: full, table: t, context: context)
        case let node?:
            context.report(full, "expected a table ([\(ConfigContext.dotted(full))]), got \(node.summary)")
            return ConfigSection(path: full, table: [:], context: context)
        case nil: return ConfigSection(path: full, table: [:], context: context)
        }
    }

    /// Reports `message` against `key` of this section.
    func report(_ key: String, _ message: String) {
        context.report(path + [key], message)
    }

    /// Reports a problem about this whole section.
    func reportSection(_ message: String) {
        context.report(path, message)
    }

    /// The generic accessor: absent gives `fallback`; a value `convert`
    /// rejects is reported (with its reason) and also gives `fallback`.
    mutating func value<T>(_ key: String, _ fallback: T, _ convert: (ConfigNode) -> Result<T, ConfigValueError>) -> T {
        known.append(key)
        context.noteKnown(path + [key])
        guard let node = table[key] else { return fallback }
        switch convert(node) {
        case .success(let v): return v
        case .failure(let e):
            report(key, e.message)
            return fallback
        }
    }

    /// Marks `key` as allowed without reading it (e.g. sub-tables read elsewhere).
    mutating func allow(_ key: String) { known.append(key) }

    /// Whether the file sets `key` in this section.
    func has(_ key: String) -> Bool { table[key] != nil }

    /// Reports every key of the table that no accessor asked for.
    func finish() {
        let allowed = known.map { "\($0)" }.joined(separator: ", ")
        let name = path.isEmpty ? "the top level" : "[\(ConfigContext.dotted(path))]"
        for key in table.keys.sorted() where !known.contains(key) {
            report(key, "unknown key; allowed in \(name): \(allowed.isEmpty ? "nothing" : allowed)")
        }
    }

    // MARK: typed accessors

    mutating func string(_ key: String, _ fallback: String) -> String {
        value(key, fallback, ConfigValueError.string)
    }

    mutating func optionalString(_ key: String) -> String? {
        value(key, nil) { ConfigValueError.string($0).map { Optional($0) } }
    }

    mutating func nonEmptyString(_ key: String, _ fallback: String) -> String {
        value(key, fallback) { node in
            ConfigValueError.string(node).flatMap { $0.isEmpty ? .failure(.init("must not be empty")) : .success($0) }
        }
    }

    mutating func bool(_ key: String, _ fallback: Bool) -> Bool {
        value(key, fallback) { node in
            if case .bool(let b) = node { return .success(b) }
            return .failure(.init("expected true or false, got \(node.summary)"))
        }
    }

    mutating func int(_ key: String, _ fallback: Int, in range: ClosedRange<Int>) -> Int {
        value(key, fallback) { node in ConfigValueError.int(node, in: range) }
    }

    mutating func duration(_ key: String, _ fallback: ConfigDuration) -> ConfigDuration {
        value(key, fallback, ConfigValueError.duration)
    }

    mutating func optionalDuration(_ key: String) -> ConfigDuration? {
        value(key, nil) { ConfigValueError.duration($0).map { Optional($0) } }
    }

    mutating func stringList(_ key: String, _ fallback: [String]) -> [String] {
        value(key, fallback) { node in ConfigValueError.list(node, ConfigValueError.string) }
    }

    mutating func intList(_ key: String, in range: ClosedRange<Int>) -> [Int]? {
        value(key, nil) { node in
            ConfigValueError.list(node) { ConfigValueError.int($0, in: range) }.map { Optional($0) }
        }
    }

    mutating func stringTable(_ key: String) -> [String: String]? {
        value(key, nil) { node in
            guard case .table(let t) = node else {
                return .failure(.init("expected a table of strings such as { name = \"value\" }, got \(node.summary)"))
            }
            var out: [String: String] = [:]
            for (k, v) in t {
                guard case .string(let s) = v else {
                    return .failure(.init("\(k): expected a string, got \(v.summary)"))
                }
                out[k] = s
            }
            return .success(out)
        }
    }

    /// The sub-tables of `key` (`[resource_class.NAME]`), by name.
    mutating func tables(_ key: String) -> [(name: String, section: ConfigSection)] {
        known.append(key)
        context.noteKnown(path + [key])
        guard let node = table[key] else { return [] }
        guard case .table(let t) = node else {
            report(key, "expected tables such as [\(ConfigContext.dotted(path + [key, "NAME"]))], got \(node.summary)")
            return []
        }
        var out: [(String, ConfigSection)] = []
        for name in t.keys.sorted() {
            let full = path + [key, name]
            guard case .table(let inner)? = t[name] else {
                context.report(full, "expected a table [\(ConfigContext.dotted(full))], got \(t[name]!.summary)")
                continue
            }
            out.append((name, ConfigSection(path: full, table: inner, context: context)))
        }
        return out
    }
}

/// Why a value was rejected; the message says what is allowed.
struct ConfigValueError: Error {
    let message: String
    init(_ message: String) { self.message = message }

    static func string(_ node: ConfigNode) -> Result<String, ConfigValueError> {
        if case .string(let s) = node { return .success(s) }
        return .failure(.init("expected a string in quotes, got \(node.summary)"))
    }

    static func int(_ node: ConfigNode, in range: ClosedRange<Int>) -> Result<Int, ConfigValueError> {
        guard case .int(let i) = node else {
            return .failure(.init("expected an integer from \(range.lowerBound) to \(range.upperBound), got \(node.summary)"))
        }
        guard range.contains(i) else {
            return .failure(.init("\(i) is out of range; use an integer from \(range.lowerBound) to \(range.upperBound)"))
        }
        return .success(i)
    }

    static func duration(_ node: ConfigNode) -> Result<ConfigDuration, ConfigValueError> {
        guard case .string(let s) = node else {
            return .failure(.init("expected a duration string, got \(node.summary); \(ConfigDuration.hint)"))
        }
        guard let d = ConfigDuration.parse(s) else {
            let unsigned = s.hasPrefix("-") ? String(s.dropFirst()) : s
            if let n = Double(unsigned.dropLast()), n == 0 || s.hasPrefix("-"), "smhd".contains(s.last ?? "x") {
                return .failure(.init("\"\(s)\" must be greater than zero; \(ConfigDuration.hint)"))
            }
            if let n = Double(s.dropLast()), n > 0, "smhd".contains(s.last ?? "x") {
                return .failure(.init("\"\(s)\" is too long; use at most \(ConfigDuration.maximum)"))
            }
            return .failure(.init("\"\(s)\" is not a duration; \(ConfigDuration.hint)"))
        }
        return .success(d)
    }

    static func list<T>(_ node: ConfigNode, _ element: (ConfigNode) -> Result<T, ConfigValueError>) -> Result<[T], ConfigValueError> {
        guard case .array(let items) = node else {
            return .failure(.init("expected a list in brackets such as [\"a\", \"b\"], got \(node.summary)"))
        }
        var out: [T] = []
        for (index, item) in items.enumerated() {
            switch element(item) {
            case .success(let v): out.append(v)
            case .failure(let e): return .failure(.init("item \(index + 1): \(e.message)"))
            }
        }
        return .success(out)
    }
}
