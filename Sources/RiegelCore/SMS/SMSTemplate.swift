/// One message template for one language, parsed and checked: text with
/// the placeholders `{code}`, `{minutes}` and `{product}`.
///
/// Rules checked at construction (they make the outbox contract hold, see
/// ``SMSTemplateSet``):
/// - `{code}` appears exactly once; no other `{...}`, no stray braces;
/// - the literal text holds **no digit of any script** (so it can never form
///   or extend a run of digits);
/// - `{code}` and `{minutes}` never touch each other (`{code}{minutes}`
///   would merge into one longer run).
public struct SMSTemplate: Sendable, Hashable {
    /// A piece of a parsed template.
    public enum Part: Sendable, Hashable {
        /// Text copied as it is (no digits).
        case literal(String)
        /// The one-time code.
        case code
        /// The code's lifetime in minutes.
        case minutes
        /// The product name.
        case product
    }

    /// The language tag (`"de"`, `"en"`), lowercased.
    public let language: String
    /// The parsed template.
    public let parts: [Part]

    /// Parses and checks `text` for `language`.
    /// - Throws: ``SMSConfigError/invalidTemplate(language:reason:)``.
    public init(language: String, text: String) throws(SMSConfigError) {
        let language = language.lowercased()
        func fail(_ reason: String) -> SMSConfigError { .invalidTemplate(language: language, reason: reason) }
        guard !language.isEmpty else { throw fail("the language tag is empty") }
        var parts: [Part] = []
        var literal = ""
        var scalars = text.unicodeScalars[...]
        while let scalar = scalars.popFirst() {
            switch scalar {
            case "{":
                guard let close = scalars.firstIndex(of: "}") else { throw fail("a { has no closing }") }
                let name = String(scalars[..<close])
                scalars = scalars[scalars.index(after: close)...]
                let part: Part
                switch name {
                case "code": part = .code
                case "minutes": part = .minutes
                case "product": part = .product
                default: throw fail("unknown placeholder {\(name)}; use {code}, {minutes}, {product}")
                }
                if !literal.isEmpty { parts.append(.literal(literal)) }
                literal = ""
                parts.append(part)
            case "}":
                throw fail("a } without an opening {")
            default:
                if scalar.properties.numericType != nil {
                    throw fail("digits in the text could be mistaken for the code; write numbers as words")
                }
                literal.unicodeScalars.append(scalar)
            }
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }

        guard parts.filter({ $0 == .code }).count == 1 else { throw fail("{code} must appear exactly once") }
        for (a, b) in zip(parts, parts.dropFirst()) where Self.hasDigits(a) && Self.hasDigits(b) {
            throw fail("{code} and {minutes} must be separated by text")
        }
        self.language = language
        self.parts = parts
    }

    private static func hasDigits(_ part: Part) -> Bool { part == .code || part == .minutes }

    /// The text with the placeholders filled in.
    func render(code: String, minutes: String, product: String) -> String {
        var out = ""
        for part in parts {
            switch part {
            case .literal(let text): out += text
            case .code: out += code
            case .minutes: out += minutes
            case .product: out += product
            }
        }
        return out
    }

    /// The built-in German template.
    public static let german: SMSTemplate = {
        do {
            return try SMSTemplate(
                language: "de",
                text: "{code} ist Ihr Bestätigungscode für {product}. Er ist {minutes} Minuten gültig. Geben Sie ihn nicht weiter.")
        } catch { preconditionFailure("\(error)") }
    }()

    /// The built-in English template.
    public static let english: SMSTemplate = {
        do {
            return try SMSTemplate(
                language: "en",
                text: "{code} is your {product} verification code. It is valid for {minutes} minutes. Do not share it.")
        } catch { preconditionFailure("\(error)") }
    }()
}
