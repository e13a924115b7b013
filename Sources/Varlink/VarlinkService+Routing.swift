/// Where a received call goes: an immediate answer, an error, or a handler to run.
enum VarlinkRoute: Sendable {
    /// Answer with these reply parameters right away (built-in methods).
    case reply([String: JSONValue])
    /// Answer with this error.
    case failure(VarlinkError)
    /// Run this handler for the validated call.
    case handler(VarlinkCall, VarlinkMethodHandler)
}

/// A message that is not a varlink call at all; the connection is closed.
struct VarlinkProtocolViolation: Error, Sendable, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// The reply-relevant flags of a call, known even when the call is rejected.
struct VarlinkCallFlags: Sendable {
    var more = false
    var oneway = false
}

extension VarlinkService {
    /// Routes one received message: checks its shape, flags, interface, method,
    /// authorization (before validation) and parameters.
    func route(_ message: VarlinkCallEnvelope, peer: PeerCredentials) throws(VarlinkProtocolViolation) -> (VarlinkCallFlags, VarlinkRoute) {
        guard case .string(let qualifiedMethod)? = message.method else {
            throw VarlinkProtocolViolation(message: "message has no string member 'method'")
        }
        var flags = VarlinkCallFlags()
        guard let more = Self.flag(message.more) else { return (flags, .failure(.invalidParameter("more"))) }
        flags.more = more
        guard let oneway = Self.flag(message.oneway) else { return (flags, .failure(.invalidParameter("oneway"))) }
        flags.oneway = oneway
        guard let upgrade = Self.flag(message.upgrade) else { return (flags, .failure(.invalidParameter("upgrade"))) }
        if (flags.more ? 1 : 0) + (flags.oneway ? 1 : 0) + (upgrade ? 1 : 0) > 1 {
            let name = flags.more ? (flags.oneway ? "oneway" : "upgrade") : "upgrade"
            flags = VarlinkCallFlags()
            return (flags, .failure(.invalidParameter(name)))
        }
        let parameters: [String: JSONValue]
        switch message.parameters {
        case .none, .null?: parameters = [:]
        case .object(let object)?: parameters = object
        default: return (flags, .failure(.invalidParameter("parameters")))
        }
        guard let known = methodRoutes[qualifiedMethod] else {
            return (flags, routeUnknown(qualifiedMethod, parameters: parameters, flags: flags, upgrade: upgrade, peer: peer))
        }
        if upgrade {
            // Protocol upgrades are not supported by this implementation.
            return (flags, .failure(.invalidParameter("upgrade")))
        }
        let call = VarlinkCall(interface: known.interface, method: known.method, qualifiedMethod: known.qualifiedMethod,
                               parameters: parameters, more: flags.more, oneway: flags.oneway, peer: peer)
        if let authorize = known.authorize, !authorize(call) {
            return (flags, .failure(.permissionDenied()))
        }
        do {
            try VarlinkInterfaceDefinition.validate(parameters, against: known.input, types: known.types)
        } catch {
            return (flags, .failure(error))
        }
        guard let handler = known.handler else {
            return (flags, .failure(.methodNotImplemented(qualifiedMethod)))
        }
        if case .streaming(let requiresMore, _) = handler, requiresMore, !flags.more {
            return (flags, .failure(.expectedMore()))
        }
        return (flags, .handler(call, handler))
    }

    /// A call flag's value: absent and `null` are false; nil if it is not a boolean.
    private static func flag(_ value: JSONValue?) -> Bool? {
        switch value {
        case .bool(let set)?: set
        case .null?, nil: false
        default: nil
        }
    }

    /// A call to a name that is not a method of a registered interface:
    /// `org.varlink.service`, or one of the standard errors.
    private func routeUnknown(_ qualifiedMethod: String, parameters: [String: JSONValue], flags: VarlinkCallFlags,
                              upgrade: Bool, peer: PeerCredentials) -> VarlinkRoute {
        guard let dot = qualifiedMethod.lastIndex(of: "."), dot != qualifiedMethod.startIndex else {
            return .failure(.methodNotFound(qualifiedMethod))
        }
        let interfaceName = String(qualifiedMethod[..<dot])
        let methodName = String(qualifiedMethod[qualifiedMethod.index(after: dot)...])
        if upgrade {
            // Protocol upgrades are not supported by this implementation.
            return .failure(.invalidParameter("upgrade"))
        }
        if interfaceName == serviceInterface.name {
            let call = VarlinkCall(interface: interfaceName, method: methodName, qualifiedMethod: qualifiedMethod,
                                   parameters: parameters, more: flags.more, oneway: flags.oneway, peer: peer)
            return routeBuiltIn(call)
        }
        guard interfaces[interfaceName] != nil else {
            return .failure(.interfaceNotFound(interfaceName))
        }
        // Every declared method of a registered interface is in `methodRoutes`.
        return .failure(.methodNotFound(qualifiedMethod))
    }

    private func routeBuiltIn(_ call: VarlinkCall) -> VarlinkRoute {
        guard serviceInterface.methods[call.method] != nil else {
            return .failure(.methodNotFound(call.qualifiedMethod))
        }
        do {
            try serviceInterface.validate(parameters: call.parameters, forMethod: call.method)
        } catch {
            return .failure(error)
        }
        switch call.method {
        case "GetInfo":
            return .reply([
                "vendor": .string(vendor), "product": .string(product), "version": .string(version),
                "url": .string(url), "interfaces": .array(interfaceNames.map { .string($0) }),
            ])
        case "GetInterfaceDescription":
            let name = call.parameters["interface"]?.string ?? ""
            guard let definition = definition(of: name) else { return .failure(.interfaceNotFound(name)) }
            return .reply(["description": .string(definition.description)])
        default:
            return .failure(.methodNotImplemented(call.qualifiedMethod))
        }
    }
}
