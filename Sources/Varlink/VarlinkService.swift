/// A varlink service: its identity, the interfaces it implements and their handlers.
///
/// Build it completely (``register(interfaceDescription:methods:authorize:)``) before
/// handing it to a ``VarlinkServer``; the server keeps its own copy.
/// `org.varlink.service` (`GetInfo`, `GetInterfaceDescription`) is built in and open to everyone.
public struct VarlinkService: Sendable {
    /// Vendor reported by `GetInfo`.
    public var vendor: String
    /// Product reported by `GetInfo`.
    public var product: String
    /// Version reported by `GetInfo`.
    public var version: String
    /// URL reported by `GetInfo`.
    public var url: String
    /// Maps errors other than `VarlinkError` thrown by handlers to the error reply sent
    /// (the server logs the original error first). Default: `org.varlink.service.InternalError`
    /// without parameters, so no internals leak to callers.
    public var mapError: @Sendable (any Error) -> VarlinkError

    private(set) var interfaces: [String: RegisteredInterface] = [:]
    /// Every method of the registered interfaces by qualified name: one lookup per call.
    private(set) var methodRoutes: [String: VarlinkMethodRoute] = [:]
    private var interfaceOrder: [String] = []
    let serviceInterface: VarlinkInterfaceDefinition

    /// The description of the built-in `org.varlink.service` interface.
    public static let serviceInterfaceDescription = """
        # The Varlink Service Interface is provided by every varlink service. It
        # describes the service and the interfaces it implements.
        interface org.varlink.service

        # Get a list of all the interfaces a service provides and information
        # about the implementation.
        method GetInfo() -> (
          vendor: string,
          product: string,
          version: string,
          url: string,
          interfaces: []string
        )

        # Get the description of an interface that is implemented by this service.
        method GetInterfaceDescription(interface: string) -> (description: string)

        # The requested interface was not found.
        error InterfaceNotFound (interface: string)

        # The requested method was not found
        error MethodNotFound (method: string)

        # The interface defines the requested method, but the service does not
        # implement it.
        error MethodNotImplemented (method: string)

        # One of the passed parameters is invalid.
        error InvalidParameter (parameter: string)

        # Client is denied access
        error PermissionDenied ()

        # Method is expected to be called with 'more' set to true, but wasn't
        error ExpectedMore ()

        """

    /// Creates a service with only `org.varlink.service`.
    public init(vendor: String, product: String, version: String, url: String,
                mapError: @escaping @Sendable (any Error) -> VarlinkError = { _ in
                    VarlinkError(name: "org.varlink.service.InternalError")
                }) {
        self.vendor = vendor
        self.product = product
        self.version = version
        self.url = url
        self.mapError = mapError
        // The built-in description is a constant that is known to parse.
        self.serviceInterface = try! VarlinkIDL.parse(Self.serviceInterfaceDescription)
    }

    /// Registers an interface from its IDL text with handlers by unqualified method name.
    ///
    /// Methods declared without a handler answer `MethodNotImplemented`. If `authorize`
    /// is given, it runs (on the event loop, so keep it fast) before parameter validation
    /// for every call into this interface; returning false answers `PermissionDenied`.
    /// It is the place to record an audit entry for denied calls.
    /// - Throws: `VarlinkIDLError` for malformed IDL; `VarlinkServiceError` if a handler names
    ///   a method not in the IDL or the interface is registered twice.
    public mutating func register(interfaceDescription: String, methods: [String: VarlinkMethodHandler],
                                  authorize: (@Sendable (VarlinkCall) -> Bool)? = nil) throws {
        let definition = try VarlinkIDL.parse(interfaceDescription)
        guard definition.name != serviceInterface.name, interfaces[definition.name] == nil else {
            throw VarlinkServiceError(message: "interface \(definition.name) is registered twice; register each interface once")
        }
        for name in methods.keys where definition.methods[name] == nil {
            throw VarlinkServiceError(message: "handler for \(name) has no 'method \(name)' in interface \(definition.name); "
                                      + "declare it in the IDL or remove the handler (names are unqualified)")
        }
        interfaces[definition.name] = RegisteredInterface(definition: definition, handlers: methods, authorize: authorize)
        interfaceOrder.append(definition.name)
        for (name, method) in definition.methods {
            let route = VarlinkMethodRoute(definition: definition, method: method, handler: methods[name], authorize: authorize)
            methodRoutes[route.qualifiedMethod] = route
        }
    }

    /// Names of all interfaces, `org.varlink.service` first, then in registration order.
    public var interfaceNames: [String] { [serviceInterface.name] + interfaceOrder }

    /// The parsed definition of a registered interface (or `org.varlink.service`).
    public func definition(of interface: String) -> VarlinkInterfaceDefinition? {
        interface == serviceInterface.name ? serviceInterface : interfaces[interface]?.definition
    }
}

/// A registration problem in a ``VarlinkService`` (programming error at start-up).
public struct VarlinkServiceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong and how to fix it.
    public var message: String

    /// Creates the error with a message.
    public init(message: String) {
        self.message = message
    }
    /// The message.
    public var description: String { message }
}

/// One method of a registered interface, with what routing needs to answer a call to it.
final class VarlinkMethodRoute: Sendable {
    /// The interface name.
    let interface: String
    /// The unqualified method name.
    let method: String
    /// `interface.method`.
    let qualifiedMethod: String
    /// The interface's named types (to validate parameters).
    let types: [String: VarlinkType]
    /// The method's input fields.
    let input: [VarlinkField]
    /// The handler, or nil if the method is declared but not implemented.
    let handler: VarlinkMethodHandler?
    /// The interface's authorization check.
    let authorize: (@Sendable (VarlinkCall) -> Bool)?

    init(definition: VarlinkInterfaceDefinition, method: VarlinkMethodDefinition, handler: VarlinkMethodHandler?,
         authorize: (@Sendable (VarlinkCall) -> Bool)?) {
        self.interface = definition.name
        self.method = method.name
        self.qualifiedMethod = definition.name + "." + method.name
        self.types = definition.types
        self.input = method.input
        self.handler = handler
        self.authorize = authorize
    }
}

/// One registered interface with its handlers.
struct RegisteredInterface: Sendable {
    var definition: VarlinkInterfaceDefinition
    var handlers: [String: VarlinkMethodHandler]
    var authorize: (@Sendable (VarlinkCall) -> Bool)?
}
