import Varlink

extension JSONValue {
    /// One-line JSON, as sent on the wire.
    var compactText: String {
        String(decoding: serializedBytes(), as: UTF8.self)
    }

    /// Indented JSON with sorted keys, for people.
    var prettyText: String {
        var out = ""
        writePretty(into: &out, indent: "")
        return out
    }

    private func writePretty(into out: inout String, indent: String) {
        let inner = indent + "  "
        switch self {
        case .object(let members) where !members.isEmpty:
            out += "{\n"
            for (i, key) in members.keys.sorted().enumerated() {
                out += inner + JSONValue.string(key).compactText + ": "
                members[key]!.writePretty(into: &out, indent: inner)
                out += i == members.count - 1 ? "\n" : ",\n"
            }
            out += indent + "}"
        case .array(let elements) where !elements.isEmpty:
            out += "[\n"
            for (i, element) in elements.enumerated() {
                out += inner
                element.writePretty(into: &out, indent: inner)
                out += i == elements.count - 1 ? "\n" : ",\n"
            }
            out += indent + "]"
        default:
            out += compactText
        }
    }
}
