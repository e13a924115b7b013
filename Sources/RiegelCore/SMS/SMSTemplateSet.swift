/// The message texts of all languages, with the product name, the code's
/// lifetime and the optional domain-bound origin line; renders the SMS.
///
/// The optional last line is `@<origin> #<code>` (the format browsers and
/// phones use to autofill a code only on the right site).
///
/// - Important: the outbox contract (docs/security-rules.md): in every rendered text the
///   code is the only run of digits as long as the code (or longer); it
///   appears once in the body and once more in the origin line. Checked at
///   construction: templates (see ``SMSTemplate``), a product name without
///   digits, minutes shorter than the code, an origin whose digit runs are
///   shorter than the code.
public struct SMSTemplateSet: Sendable, Hashable {
    /// Templates by language tag.
    public let templates: [String: SMSTemplate]
    /// The language used when the user's is unknown.
    public let defaultLanguage: String
    /// The product name (`{product}`).
    public let product: String
    /// The host of the origin line (`portal.example`), or nil for no line.
    public let origin: String?
    /// Digits per code (must match the challenge policy).
    public let codeLength: Int
    /// The lifetime in minutes (`{minutes}`).
    public let minutes: Int

    /// Creates a checked template set.
    /// - Throws: ``SMSConfigError`` naming the setting that could break the
    ///   outbox contract.
    public init(
        templates: [SMSTemplate] = [.german, .english], defaultLanguage: String = "de", product: String,
        origin: String?, codeLength: Int = OneTimeCode.defaultLength, minutes: Int = 5
    ) throws(SMSConfigError) {
        guard OneTimeCode.allowedLengths.contains(codeLength) else {
            throw .outOfRange(setting: "code length", allowed: "4...10")
        }
        var byLanguage: [String: SMSTemplate] = [:]
        for template in templates { byLanguage[template.language] = template }
        guard byLanguage[defaultLanguage.lowercased()] != nil else {
            throw .invalidText(setting: "default language", reason: "no template for \"\(defaultLanguage)\"")
        }
        let productProblem = Self.productProblem(product)
        if let productProblem { throw .invalidText(setting: "product name", reason: productProblem) }
        guard minutes > 0, String(minutes).count < codeLength else {
            throw .outOfRange(setting: "code lifetime in minutes", allowed: "fewer digits than the code")
        }
        if let origin, let problem = Self.originProblem(origin, codeLength: codeLength) {
            throw .invalidText(setting: "sms origin", reason: problem)
        }
        self.templates = byLanguage
        self.defaultLanguage = defaultLanguage.lowercased()
        self.product = product
        self.origin = origin
        self.codeLength = codeLength
        self.minutes = minutes
    }

    /// The template for `language` (`"de-AT"` falls back to `"de"`, then the default).
    public func template(for language: String?) -> SMSTemplate {
        if let tag = language?.lowercased() {
            if let exact = templates[tag] { return exact }
            let primary = String(tag.prefix { $0 != "-" && $0 != "_" })
            if let found = templates[primary] { return found }
        }
        return templates[defaultLanguage]!
    }

    /// The message text for `code` in `language`.
    public func render(code: OneTimeCode, language: String?) -> String {
        precondition(code.digits.count == codeLength, "code length differs from the template set's")
        var text = template(for: language).render(code: code.digits, minutes: String(minutes), product: product)
        if let origin { text += "\n\n@\(origin) #\(code.digits)" }
        return text
    }

    private static func productProblem(_ product: String) -> String? {
        if product.isEmpty || product.count > 40 { return "must have 1 to 40 characters" }
        for scalar in product.unicodeScalars {
            if scalar.properties.numericType != nil { return "must not contain digits (they could be mistaken for the code)" }
            if scalar == "{" || scalar == "}" || scalar.properties.generalCategory == .control {
                return "must not contain braces or control characters"
            }
        }
        return nil
    }

    /// A host name: lowercase letters, digits, `-` and `.`, no digit run as
    /// long as the code.
    private static func originProblem(_ origin: String, codeLength: Int) -> String? {
        guard (1...253).contains(origin.utf8.count) else { return "must be a host name of 1 to 253 characters" }
        var run = 0
        for byte in origin.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                run += 1
                if run >= codeLength { return "must not contain a run of \(codeLength) digits" }
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "-"), UInt8(ascii: "."):
                run = 0
            default:
                return "must be a lowercase host name (letters, digits, - and .), without scheme or port"
            }
        }
        return nil
    }
}
