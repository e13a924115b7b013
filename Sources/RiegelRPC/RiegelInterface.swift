import Varlink

/// One riegel varlink interface: its parsed IDL, the role its callers need,
/// and the handler files that together form its one method table.
///
/// The table is bound against the parsed IDL: a handler for a method the
/// interface does not declare, or a method bound twice, stops the daemon at
/// start; a test checks that every declared method is bound.
public struct RiegelInterface: Sendable {
    /// The interface as parsed from its `.varlink` file.
    public let definition: VarlinkInterfaceDefinition
    /// The role a peer needs to call any of its methods.
    public let role: Role
    /// The handler files binding its methods, each a part of the one table.
    let parts: [@Sendable (RiegelMethods) -> [String: VarlinkMethodHandler]]

    /// The interface name, e.g. `io.riegel.Auth`.
    public var name: String { definition.name }
    /// The IDL text, served verbatim by `GetInterfaceDescription`.
    public var description: String { definition.description }
    /// The names of the errors the interface declares.
    public var errors: Set<String> { Set(definition.errors.keys) }

    /// Parses `idl` (compiled into the binary and tested, so it parses).
    init(idl: String, role: Role, parts: [@Sendable (RiegelMethods) -> [String: VarlinkMethodHandler]]) {
        do {
            definition = try VarlinkIDL.parse(idl)
        } catch {
            preconditionFailure("a riegel IDL file does not parse: \(error)")
        }
        self.role = role
        self.parts = parts
    }

    /// The method table: every handler of every part, by unqualified method name.
    /// - Precondition: each name is a method the IDL declares, bound by one part only.
    func table(_ methods: RiegelMethods) -> [String: VarlinkMethodHandler] {
        var table: [String: VarlinkMethodHandler] = [:]
        for part in parts {
            for (method, handler) in part(methods) {
                precondition(definition.methods[method] != nil, "\(name).\(method) is bound but not declared in the IDL")
                precondition(table.updateValue(handler, forKey: method) == nil, "\(name).\(method) is bound twice")
            }
        }
        return table
    }
}
