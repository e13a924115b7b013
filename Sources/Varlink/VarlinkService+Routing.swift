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
    func route(_ message: JSONValue, peer: PeerCredentials) throws(VarlinkProtocolViolation) -> (VarlinkCallFlags, VarlinkRoute) {
        guard case .object(let members) = message else {
            throw VarlinkProtocolViolation(message: "message is not a JSON object")
        }
        guard case .string(let qualifiedMethod)? = members["method"] else {
            throw VarlinkProtocolViolation(message: "message has no string member 'method'")
        }
        var flags = VarlinkCallFlags()
        var upgrade = false
        for (key, value) in members {
            switch key {
            case "method", "parameters": continue
            case "more", "oneway", "upgrade":
                let flag: Bool
                switch value {
                case .bool(let set): flag = set
                case .null: flag = false
                default: return (flags, .failure(.invalidParameter(key)))
                }
                if key == "more" { flags.more = flag } else if key == "oneway" { flags.oneway = flag } else { upgrade = flag }
            default:
                continue  // Unknown call members are ignored, as the spec asks for forward compatibility.
            }
        }
        if (flags.more ? 1 : 0) + (flags.oneway ? 1 : 0) + (upgrade ? 1 : 0) > 1 {
            let name = flags.more ? (flags.oneway ? "oneway" : "upgrade") : "upgrade"
            flags = VarlinkCallFlags()
            return (flags, .failure(.invalidParameter(name)))
        }
        let parameters: [String: JSONValue]
        switch members["parameters"] {
        case .none, .null?: parameters = [:]
        case .object(let object)?: parameters = object
        default: return (flags, .failure(.invalidParameter("parameters")))
        }
        guard let dot = qualifiedMethod.lastIndex(of: "."), dot != qualifiedMethod.startIndex else {
            return (flags, .failure(.methodNotFound(qualifiedMethod)))
        }
        let interfaceName = String(qualifiedMethod[..<dot])
        let methodName = String(qualifiedMethod[qualifiedMethod.index(after: dot)...])
        if upgrade {
            // Protocol upgrades are not supported by this implementation.
            return (flags, .failure(.invalidParameter("upgrade")))
        }
        let call = VarlinkCall(interface: interfaceName, method: methodName, qualifiedMethod: qualifiedMethod,
                               parameters: parameters, more: flags.more, oneway: flags.oneway, peer: peer)
        if interfaceName == serviceInterface.name {
            return (flags, routeBuiltIn(call))
        }
        guard let registered = interfaces[interfaceName] else {
            return (flags, .failure(.interfaceNotFound(interfaceName)))
        }
        guard registered.definition.methods[methodName] != nil else {
            return (flags, .failure(.methodNotFound(qualifiedMethod)))
        }
        if let authorize = registered.authorize, !authorize(call) {
            return (flags, .failure(.permissionDenied()))
        }
        do {
            try registered.definition.validate(parameters: parameters, forMethod: methodName)
        } catch {
            return (flags, .failure(error))
        }
        guard let handler = registered.handlers[methodName] else {
            return (flags, .failure(.methodNotImplemented(qualifiedMethod)))
        }
        if case .streaming(let requiresMore, _) = handler, requiresMore, !flags.more {
            return (flags, .failure(.expectedMore()))
        }
        return (flags, .handler(call, handler))
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
