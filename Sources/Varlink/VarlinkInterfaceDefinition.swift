/// A varlink type expression from an interface definition.
public indirect enum VarlinkType: Sendable, Hashable {
    /// `bool`
    case bool
    /// `int`
    case int
    /// `float` (accepts JSON integers too)
    case float
    /// `string`
    case string
    /// `object`: any JSON object
    case object
    /// A reference to a `type` declared in the same interface.
    case named(String)
    /// `[]T`
    case array(VarlinkType)
    /// `[string]T`: a JSON object mapping strings to `T`
    case dictionary(VarlinkType)
    /// `?T`: may be absent or `null`
    case optional(VarlinkType)
    /// An inline struct `(name: T, ...)`; `()` is the empty struct.
    case structure([VarlinkField])
    /// An enum `(a, b, c)`; values are JSON strings.
    case enumeration([String])
}

/// One field of a struct, a method's input or output, or an error.
public struct VarlinkField: Sendable, Hashable {
    /// The field name.
    public var name: String
    /// The field type.
    public var type: VarlinkType

    /// Creates a field.
    public init(name: String, type: VarlinkType) {
        self.name = name
        self.type = type
    }
}

/// A method declared in an interface.
public struct VarlinkMethodDefinition: Sendable, Hashable {
    /// The unqualified method name.
    public var name: String
    /// The input parameters.
    public var input: [VarlinkField]
    /// The output parameters.
    public var output: [VarlinkField]
}

/// A parsed varlink interface: its name, members and original text.
public struct VarlinkInterfaceDefinition: Sendable, Hashable {
    /// The interface name, e.g. `org.example.ping`.
    public var name: String
    /// The original IDL text, returned verbatim by `GetInterfaceDescription`.
    public var description: String
    /// Named types declared with `type`.
    public var types: [String: VarlinkType]
    /// Methods by unqualified name.
    public var methods: [String: VarlinkMethodDefinition]
    /// Errors by unqualified name, with their parameters.
    public var errors: [String: [VarlinkField]]
    /// Member names in declaration order (types, methods and errors share one namespace).
    public var memberOrder: [String]

    /// Parses an interface definition; equivalent to `VarlinkIDL.parse(_:)`.
    public init(parsing text: String) throws(VarlinkIDLError) {
        self = try VarlinkIDL.parse(text)
    }

    init(name: String, description: String, types: [String: VarlinkType],
         methods: [String: VarlinkMethodDefinition], errors: [String: [VarlinkField]], memberOrder: [String]) {
        self.name = name
        self.description = description
        self.types = types
        self.methods = methods
        self.errors = errors
        self.memberOrder = memberOrder
    }
}
