extension VarlinkInterfaceDefinition {
    /// Checks call parameters against a method's input struct.
    ///
    /// Rejects unknown fields, missing non-optional fields, wrong JSON types
    /// (a JSON integer is accepted for `float`; a fractional number is not an `int`)
    /// and strings that are not a value of an enum. `null` and absent are the same
    /// for optional fields. Throws `org.varlink.service.InvalidParameter` naming the
    /// **top-level** input field that contains the problem (nested problems are
    /// reported by the top-level field, as systemd does).
    public func validate(parameters: [String: JSONValue], forMethod method: String) throws(VarlinkError) {
        guard let definition = methods[method] else { throw .methodNotFound("\(name).\(method)") }
        try validate(parameters, against: definition.input)
    }

    /// Checks `parameters` against a list of fields; see `validate(parameters:forMethod:)`.
    public func validate(_ parameters: [String: JSONValue], against fields: [VarlinkField]) throws(VarlinkError) {
        try Self.validate(parameters, against: fields, types: types)
    }

    /// Checks `parameters` against a list of fields whose named types are in `types`.
    static func validate(_ parameters: [String: JSONValue], against fields: [VarlinkField],
                         types: [String: VarlinkType]) throws(VarlinkError) {
        for field in fields {
            if !matches(parameters[field.name] ?? .null, field.type, types: types, depth: 0) {
                throw .invalidParameter(field.name)
            }
        }
        if parameters.count > fields.count || parameters.keys.contains(where: { key in !fields.contains { $0.name == key } }) {
            for key in parameters.keys.sorted() where !fields.contains(where: { $0.name == key }) {
                throw .invalidParameter(key)
            }
        }
    }

    /// Whether `value` is valid for `type`, named types resolved in `types`.
    /// Depth guards against self-referential named types.
    static func matches(_ value: JSONValue, _ type: VarlinkType, types: [String: VarlinkType], depth: Int) -> Bool {
        guard depth < 64 else { return false }
        switch type {
        case .optional(let wrapped):
            if case .null = value { return true }
            return matches(value, wrapped, types: types, depth: depth + 1)
        case .bool:
            if case .bool = value { return true }
            return false
        case .int:
            if case .int = value { return true }
            return false
        case .float:
            switch value {
            case .int, .double: return true
            default: return false
            }
        case .string:
            if case .string = value { return true }
            return false
        case .object:
            if case .object = value { return true }
            return false
        case .named(let typeName):
            guard let resolved = types[typeName] else { return false }
            return matches(value, resolved, types: types, depth: depth + 1)
        case .array(let element):
            guard case .array(let elements) = value else { return false }
            return elements.allSatisfy { matches($0, element, types: types, depth: depth + 1) }
        case .dictionary(let element):
            guard case .object(let members) = value else { return false }
            return members.values.allSatisfy { matches($0, element, types: types, depth: depth + 1) }
        case .enumeration(let cases):
            guard case .string(let text) = value else { return false }
            return cases.contains(text)
        case .structure(let fields):
            guard case .object(let members) = value else { return false }
            for field in fields where !matches(members[field.name] ?? .null, field.type, types: types, depth: depth + 1) {
                return false
            }
            return members.keys.allSatisfy { key in fields.contains { $0.name == key } }
        }
    }
}
