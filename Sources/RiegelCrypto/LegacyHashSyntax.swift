/// Strict readers for the fields of modular-crypt-format strings.
enum LegacyHashSyntax {
    /// A decimal without sign, spaces or leading zeros, at most 10 digits; nil otherwise.
    static func decimal(_ field: Substring) -> Int? {
        guard !field.isEmpty, field.count <= 10, field.utf8.allSatisfy({ (48...57).contains($0) }),
              field == "0" || !field.hasPrefix("0") else { return nil }
        return Int(field)
    }

    /// The value of `name=<decimal>`, or nil.
    static func named(_ name: String, in field: Substring) -> Int? {
        guard field.hasPrefix(name + "=") else { return nil }
        return decimal(field.dropFirst(name.count + 1))
    }

    /// The identifier between the first two `$`, shortened for error messages.
    static func identifier(of hash: String) -> String {
        let parts = hash.split(separator: "$", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].isEmpty else { return "(none)" }
        let id = parts[1].prefix(16).filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        return id.isEmpty ? "(none)" : String(id)
    }
}
