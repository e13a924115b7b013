/// A varlink error reply: a qualified error name and its parameters.
///
/// Throw it from a method handler to answer the call with this error.
public struct VarlinkError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The fully qualified error name, e.g. `org.varlink.service.InvalidParameter`.
    public var name: String
    /// The error's parameters as declared in the interface's `error` definition.
    public var parameters: [String: JSONValue]

    /// Creates an error reply with the given name and parameters.
    public init(name: String, parameters: [String: JSONValue] = [:]) {
        self.name = name
        self.parameters = parameters
    }

    /// A readable description: the name and, if any, the parameters as JSON.
    public var description: String {
        parameters.isEmpty ? name : "\(name) \(JSONValue.object(parameters))"
    }

    /// The interface that was called is not provided by this service.
    public static func interfaceNotFound(_ interface: String) -> VarlinkError {
        VarlinkError(name: "org.varlink.service.InterfaceNotFound", parameters: ["interface": .string(interface)])
    }

    /// The method is not declared in the interface (`method` is the qualified name as called).
    public static func methodNotFound(_ method: String) -> VarlinkError {
        VarlinkError(name: "org.varlink.service.MethodNotFound", parameters: ["method": .string(method)])
    }

    /// The method is declared but this service has no implementation for it.
    public static func methodNotImplemented(_ method: String) -> VarlinkError {
        VarlinkError(name: "org.varlink.service.MethodNotImplemented", parameters: ["method": .string(method)])
    }

    /// A parameter is unknown, missing, of the wrong type or otherwise invalid.
    public static func invalidParameter(_ parameter: String) -> VarlinkError {
        VarlinkError(name: "org.varlink.service.InvalidParameter", parameters: ["parameter": .string(parameter)])
    }

    /// The caller is not allowed to call this method.
    public static func permissionDenied() -> VarlinkError {
        VarlinkError(name: "org.varlink.service.PermissionDenied")
    }

    /// The method must be called with `more: true`.
    public static func expectedMore() -> VarlinkError {
        VarlinkError(name: "org.varlink.service.ExpectedMore")
    }
}
