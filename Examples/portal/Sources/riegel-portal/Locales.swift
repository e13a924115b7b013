import Foundation

/// The portal's texts in German and English (`Locales/de.json`, `en.json`).
struct Locales: Sendable {
    static let languages = ["de", "en"]
    private let tables: [String: [String: String]]

    /// Loads every language's table; a key missing in one language is an error at start.
    init(directory: URL) throws {
        var tables: [String: [String: String]] = [:]
        for language in Self.languages {
            let data = try Data(contentsOf: directory.appendingPathComponent("\(language).json"))
            tables[language] = try JSONDecoder().decode([String: String].self, from: data)
        }
        let keys = Set(tables.values.flatMap(\.keys))
        for (language, table) in tables {
            let missing = keys.subtracting(table.keys)
            if !missing.isEmpty { throw ConfigError("Locales/\(language).json lacks \(missing.sorted())") }
        }
        self.tables = tables
    }

    /// The whole table of `language`, for templates (`{{t.key}}`).
    func table(_ language: String) -> [String: String] { tables[language] ?? tables["de"]! }

    /// One text with `{name}` placeholders filled in.
    func text(_ language: String, _ key: String, _ arguments: [String: String] = [:]) -> String {
        var text = table(language)[key] ?? key
        for (name, value) in arguments { text = text.replacingOccurrences(of: "{\(name)}", with: value) }
        return text
    }

    /// The language a browser asked for: the `lang` cookie, else the first of
    /// Accept-Language we have, else German.
    static func choose(cookie: String?, acceptLanguage: String?) -> String {
        if let cookie, languages.contains(cookie) { return cookie }
        for part in (acceptLanguage ?? "").split(separator: ",") {
            let tag = part.split(separator: ";")[0].trimmingCharacters(in: .whitespaces).lowercased()
            let primary = String(tag.prefix { $0 != "-" })
            if languages.contains(primary) { return primary }
        }
        return "de"
    }
}
