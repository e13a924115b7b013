import TOMLKit

/// A parsed TOML value as a plain Sendable tree, so that the schema code
/// does not depend on TOMLKit's reference types.
enum ConfigNode: Sendable {
    case table([String: ConfigNode])
    case array([ConfigNode])
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    /// Dates and times: valid TOML, but no riegel key takes them.
    case other(String)

    /// Converts a TOMLKit value, recursively.
    init(_ value: any TOMLValueConvertible) {
        switch value.type {
        case .table:
            var children: [String: ConfigNode] = [:]
            if let table = value.table {
                for key in table.keys {
                    if let child = table[key] { children[key] = ConfigNode(child) }
                }
            }
            self = .table(children)
        case .array:
            self = .array(value.array.map { $0.map { ConfigNode($0) } } ?? [])
        case .string: self = .string(value.string ?? "")
        case .int: self = .int(value.int ?? 0)
        case .double: self = .double(value.double ?? 0)
        case .bool: self = .bool(value.bool ?? false)
        default: self = .other(value.type.description)
        }
    }

    /// How the value reads in an error message: `a string "15x"`, `an integer 5`.
    var summary: String {
        switch self {
        case .table: "a table"
        case .array: "an array"
        case .string(let s): "a string \"\(s)\""
        case .int(let i): "an integer \(i)"
        case .double(let d): "a number \(d)"
        case .bool(let b): "a boolean \(b)"
        case .other(let type): "a \(type)"
        }
    }
}
