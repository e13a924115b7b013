@testable import RiegelClient
import Varlink

/// Compares a decoded Swift value with an IDL type by reflection: every struct
/// has exactly the IDL's fields (as lowerCamelCase properties, optional ones
/// included even when absent), scalars have the Swift type the IDL type
/// becomes, and every enum value decoded to a case the client knows.
struct SwiftShape {
    let types: [String: VarlinkType]

    /// The problems found in `value` against `type` (empty: it fits).
    func problems(_ value: Any, _ type: VarlinkType, at path: String) -> [String] {
        switch type {
        case .optional(let wrapped):
            let mirror = Mirror(reflecting: value)
            guard mirror.displayStyle == .optional else { return ["\(path): \(Swift.type(of: value)) is not optional"] }
            guard let wrappedValue = mirror.children.first?.value else { return [] }
            return problems(wrappedValue, wrapped, at: path)
        case .bool: return value is Bool ? [] : ["\(path): \(Swift.type(of: value)) is not Bool"]
        case .int: return value is Int ? [] : ["\(path): \(Swift.type(of: value)) is not Int"]
        case .float: return value is Double ? [] : ["\(path): \(Swift.type(of: value)) is not Double"]
        case .string: return value is String ? [] : ["\(path): \(Swift.type(of: value)) is not String"]
        case .object: return value is [String: JSONValue] ? [] : ["\(path): \(Swift.type(of: value)) is not [String: JSONValue]"]
        case .named(let name): return problems(value, types[name]!, at: path)
        case .array(let element):
            let mirror = Mirror(reflecting: value)
            guard mirror.displayStyle == .collection else { return ["\(path): \(Swift.type(of: value)) is not an array"] }
            return mirror.children.enumerated().flatMap { problems($1.value, element, at: "\(path)[\($0)]") }
        case .dictionary(let element):
            guard let dictionary = value as? [String: Any] else {
                return ["\(path): \(Swift.type(of: value)) is not a [String: _] dictionary"]
            }
            return dictionary.flatMap { problems($1, element, at: "\(path)[\($0)]") }
        case .enumeration(let cases):
            guard let value = value as? any RiegelOpenEnum else { return ["\(path): \(Swift.type(of: value)) is not a RiegelOpenEnum"] }
            var found: [String] = []
            if !value.isRecognized { found.append("\(path): '\(value.rawValue)' decoded as unrecognized") }
            let known = Set(knownRawValues(of: value))
            if known != Set(cases) {
                found.append("\(path): \(Swift.type(of: value)) knows \(known.sorted()), the IDL \(cases.sorted())")
            }
            return found
        case .structure(let fields):
            let mirror = Mirror(reflecting: value)
            guard mirror.displayStyle == .struct else { return ["\(path): \(Swift.type(of: value)) is not a struct"] }
            let properties = Dictionary(mirror.children.map { ($0.label ?? "?", $0.value) }, uniquingKeysWith: { a, _ in a })
            let expected = Set(fields.map { lowerCamel($0.name) })
            var found: [String] = []
            for extra in Set(properties.keys).subtracting(expected).sorted() {
                found.append("\(path): \(Swift.type(of: value)) has '\(extra)', which the IDL does not declare")
            }
            for field in fields {
                guard let property = properties[lowerCamel(field.name)] else {
                    found.append("\(path): \(Swift.type(of: value)) lacks '\(lowerCamel(field.name))' for '\(field.name)'")
                    continue
                }
                found += problems(property, field.type, at: "\(path).\(field.name)")
            }
            return found
        }
    }

    private func knownRawValues<E: RiegelOpenEnum>(of value: E) -> [String] {
        E.knownCases.map(\.rawValue)
    }
}
