import Foundation

/// Fills `{to}`, `{text}` and `{credential}` into the request templates of the
/// command and HTTP gateways (not the message texts: those are Core's
/// `SMSTemplate`).
///
/// - Important: substitution is a single pass over the template, so a message
///   text that itself contains `{credential}` is sent literally and can never
///   pull the secret into a request.
enum GatewayRequestTemplate {
    /// `template` with every known `{name}` replaced by `values[name]`; unknown placeholders stay as written.
    static func render(_ template: String, _ values: [String: String]) -> String {
        guard template.contains("{") else { return template }
        var out = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            let after = rest[rest.index(after: open)...]
            if let close = after.firstIndex(of: "}"), let value = values[String(after[..<close])] {
                out += value
                rest = after[after.index(after: close)...]
            } else {
                out += "{"
                rest = after
            }
        }
        return out + rest
    }

    /// RFC 3986 unreserved characters: everything else is percent-encoded in queries and forms.
    private static let unreserved = CharacterSet(charactersIn:
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// Percent-encodes UTF-8 for a query or form value (`+` becomes `%2B`, space `%20`).
    static func percentEncode(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    /// `a=1&b=2` from name → template pairs, rendered and encoded, in name order.
    static func encodedPairs(_ table: [String: String], _ values: [String: String]) -> String {
        table.sorted { $0.key < $1.key }
            .map { percentEncode($0.key) + "=" + percentEncode(render($0.value, values)) }
            .joined(separator: "&")
    }

    /// A JSON object body from name → template pairs, each value a JSON string, in name order.
    static func jsonBody(_ table: [String: String], _ values: [String: String]) -> String {
        SMSJSON.object(table.sorted { $0.key < $1.key }.map { ($0.key, render($0.value, values)) })
    }
}
