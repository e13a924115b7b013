import RiegelRPC
import Varlink

/// The interfaces the daemon serves, parsed from the IDL text compiled into
/// RiegelRPC (the same text `GetInterfaceDescription` returns).
enum ServedIDL {
    /// `io.riegel.Auth`, `io.riegel.Admin`, `io.riegel.Audit`, in that order.
    static let riegel: [VarlinkInterfaceDefinition] = [RiegelIDL.auth, RiegelIDL.admin, RiegelIDL.audit].map {
        try! VarlinkIDL.parse($0)
    }

    /// `org.varlink.service`, whose errors the client types too.
    static let service = try! VarlinkIDL.parse(VarlinkService.serviceInterfaceDescription)

    /// The definition of an interface by name.
    static func named(_ name: String) -> VarlinkInterfaceDefinition {
        (riegel + [service]).first { $0.name == name }!
    }
}

/// Values synthesised from an IDL type: what riegeld could send or accept.
struct IDLSample {
    /// Whether optional fields are present (every one, at every depth) or absent.
    var optionals: Bool
    /// Which value of every enum: its index modulo the enum's count.
    var enumChoice = Int.max
    let types: [String: VarlinkType]

    /// Every combination the drift test runs: optionals present or absent, each enum value.
    static func variants(_ definition: VarlinkInterfaceDefinition) -> [IDLSample] {
        [true, false].flatMap { optionals in
            (0..<4).map { IDLSample(optionals: optionals, enumChoice: $0, types: definition.types) }
        }
    }

    /// An object with the fields; a string is the field's own name, so that
    /// swapped fields show.
    func members(_ fields: [VarlinkField]) -> [String: JSONValue] {
        var members: [String: JSONValue] = [:]
        for field in fields {
            if let value = value(field.type, name: field.name) { members[field.name] = value }
        }
        return members
    }

    /// A value of `type`; nil for an optional left absent.
    func value(_ type: VarlinkType, name: String) -> JSONValue? {
        switch type {
        case .optional(let wrapped): return optionals ? value(wrapped, name: name) : nil
        case .bool: return .bool(true)
        case .int: return .int(Int64(name.count))
        case .float: return .double(1.5)
        case .string: return .string(name)
        case .object: return .object(["key": .string(name)])
        case .named(let typeName): return value(types[typeName]!, name: name)
        case .array(let element): return .array([value(element, name: name) ?? .null])
        case .dictionary(let element): return .object(["key": value(element, name: name) ?? .null])
        case .structure(let fields): return .object(members(fields))
        case .enumeration(let cases): return .string(cases[enumChoice % cases.count])
        }
    }
}

/// The naming rule of the client: `current_password` is `currentPassword`.
func lowerCamel(_ name: String) -> String {
    let parts = name.split(separator: "_")
    return String(parts[0]) + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
}

/// Where two JSON values differ, as readable paths (empty: equal): members
/// only one side has, and values that differ.
func differences(_ client: JSONValue, _ idl: JSONValue, at path: String = "") -> [String] {
    switch (client, idl) {
    case (.object(let a), .object(let b)):
        var found: [String] = []
        for key in Set(a.keys).union(b.keys).sorted() {
            switch (a[key], b[key]) {
            case (let x?, let y?): found += differences(x, y, at: "\(path).\(key)")
            case (_?, nil): found.append("\(path).\(key): the client has it, the IDL does not")
            case (nil, _?): found.append("\(path).\(key): the IDL has it, the client does not")
            case (nil, nil): break
            }
        }
        return found
    case (.array(let a), .array(let b)) where a.count == b.count:
        return zip(a, b).enumerated().flatMap { differences($1.0, $1.1, at: "\(path)[\($0)]") }
    default:
        return client == idl ? [] : ["\(path): the client has \(client), the IDL \(idl)"]
    }
}
