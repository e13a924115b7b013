/// Encodes `Encodable` values into ``JSONValue`` (no text in between).
///
/// Keys are used exactly as the `CodingKeys` spell them (snake_case stays snake_case).
/// `nil` optionals are left out of objects; integers become `.int`, floating point `.double`.
public struct JSONValueEncoder: Sendable {
    /// Creates an encoder.
    public init() {}

    /// Encodes `value`; throws `EncodingError` for unsigned integers beyond `Int64.max`.
    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        let node = EncodingNode()
        try node.encode(value, codingPath: [])
        return node.resolve()
    }

    /// Encodes `value`, which must encode as an object (a struct or dictionary), e.g. reply parameters.
    public func encodeObject<T: Encodable>(_ value: T) throws -> [String: JSONValue] {
        guard case .object(let members) = try encode(value) else {
            throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription:
                "\(T.self) does not encode as a JSON object; use a struct with named fields"))
        }
        return members
    }
}

/// A mutable tree built while encoding; resolved into a `JSONValue` at the end.
final class EncodingNode {
    enum Content {
        case value(JSONValue)
        case object([String: EncodingNode])
        case array([EncodingNode])
    }

    var content: Content = .value(.null)

    func resolve() -> JSONValue {
        switch content {
        case .value(let value): return value
        case .object(let members): return .object(members.mapValues { $0.resolve() })
        case .array(let elements): return .array(elements.map { $0.resolve() })
        }
    }

    func encode<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws {
        if let json = value as? JSONValue {
            content = .value(json)
        } else {
            try value.encode(to: NodeEncoder(node: self, codingPath: codingPath))
        }
    }
}

struct NodeEncoder: Encoder {
    let node: EncodingNode
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = node.content {} else { node.content = .object([:]) }
        return KeyedEncodingContainer(KeyedNodeEncoder<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = node.content {} else { node.content = .array([]) }
        return UnkeyedNodeEncoder(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueNodeEncoder(node: node, codingPath: codingPath)
    }
}

struct KeyedNodeEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: EncodingNode
    var codingPath: [any CodingKey]

    private func child(_ key: any CodingKey) -> EncodingNode {
        guard case .object(var members) = node.content else { preconditionFailure("keyed container on non-object") }
        if let existing = members[key.stringValue] { return existing }
        let created = EncodingNode()
        members[key.stringValue] = created
        node.content = .object(members)
        return created
    }

    mutating func encodeNil(forKey key: Key) throws { child(key).content = .value(.null) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try child(key).encode(value, codingPath: codingPath + [key])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type,
                                                        forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        NodeEncoder(node: child(key), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        NodeEncoder(node: child(key), codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        NodeEncoder(node: child(JSONCodingKey("super")), codingPath: codingPath)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        NodeEncoder(node: child(key), codingPath: codingPath + [key])
    }
}

struct UnkeyedNodeEncoder: UnkeyedEncodingContainer {
    let node: EncodingNode
    var codingPath: [any CodingKey]
    var count: Int {
        if case .array(let elements) = node.content { return elements.count }
        return 0
    }

    private func append() -> EncodingNode {
        guard case .array(var elements) = node.content else { preconditionFailure("unkeyed container on non-array") }
        let created = EncodingNode()
        elements.append(created)
        node.content = .array(elements)
        return created
    }

    mutating func encodeNil() throws { append().content = .value(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try append().encode(value, codingPath: codingPath + [JSONCodingKey(index: count)])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        NodeEncoder(node: append(), codingPath: codingPath).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        NodeEncoder(node: append(), codingPath: codingPath).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { NodeEncoder(node: append(), codingPath: codingPath) }
}

struct SingleValueNodeEncoder: SingleValueEncodingContainer {
    let node: EncodingNode
    var codingPath: [any CodingKey]

    private func set(_ value: JSONValue) { node.content = .value(value) }

    private func integer<I: BinaryInteger>(_ value: I) throws -> JSONValue {
        guard let exact = Int64(exactly: value) else {
            throw EncodingError.invalidValue(value, .init(codingPath: codingPath, debugDescription:
                "\(value) does not fit a varlink int (Int64); use a smaller value or a string"))
        }
        return .int(exact)
    }

    mutating func encodeNil() throws { set(.null) }
    mutating func encode(_ value: Bool) throws { set(.bool(value)) }
    mutating func encode(_ value: String) throws { set(.string(value)) }
    mutating func encode(_ value: Double) throws { set(.double(value)) }
    mutating func encode(_ value: Float) throws { set(.double(Double(value))) }
    mutating func encode(_ value: Int) throws { set(try integer(value)) }
    mutating func encode(_ value: Int8) throws { set(try integer(value)) }
    mutating func encode(_ value: Int16) throws { set(try integer(value)) }
    mutating func encode(_ value: Int32) throws { set(try integer(value)) }
    mutating func encode(_ value: Int64) throws { set(.int(value)) }
    mutating func encode(_ value: UInt) throws { set(try integer(value)) }
    mutating func encode(_ value: UInt8) throws { set(try integer(value)) }
    mutating func encode(_ value: UInt16) throws { set(try integer(value)) }
    mutating func encode(_ value: UInt32) throws { set(try integer(value)) }
    mutating func encode(_ value: UInt64) throws { set(try integer(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws { try node.encode(value, codingPath: codingPath) }
}

/// A coding key made from a string or an array index.
struct JSONCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?

    init(_ string: String) {
        stringValue = string
        intValue = nil
    }

    init(index: Int) {
        stringValue = "Index \(index)"
        intValue = index
    }

    init?(stringValue: String) { self.init(stringValue) }
    init?(intValue: Int) { self.init(index: intValue) }
}
