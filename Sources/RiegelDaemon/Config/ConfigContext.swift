/// Collects problems while a configuration is read, so that all of them are
/// reported at once with file and line.
final class ConfigContext {
    let file: String
    let locator: ConfigLineLocator
    private(set) var problems: [ConfigProblem] = []
    /// Every key path the schema asked for while reading (for documentation checks).
    private(set) var knownPaths: Set<[String]> = []

    func noteKnown(_ path: [String]) { knownPaths.insert(path) }

    init(file: String, text: String) {
        self.file = file
        self.locator = ConfigLineLocator(text: text)
    }

    /// Records `message` at the line of `path`, prefixed with the dotted path.
    func report(_ path: [String], _ message: String) {
        let prefix = path.isEmpty ? "" : Self.dotted(path) + ": "
        problems.append(ConfigProblem(file: file, line: locator.line(of: path), message: prefix + message))
    }

    /// Records a problem at an explicit line (parse errors).
    func report(line: Int, _ message: String) {
        problems.append(ConfigProblem(file: file, line: line, message: message))
    }

    /// `a.b.c`, quoting parts that are not bare keys.
    static func dotted(_ path: [String]) -> String {
        path.map { part in
            let bare = !part.isEmpty && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
            return bare ? part : "\"\(part)\""
        }.joined(separator: ".")
    }
}
