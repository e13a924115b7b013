import RiegelService
import Varlink

extension VarlinkCall {
    /// A required string parameter (the IDL check guarantees it is present and a string).
    func string(_ name: String) -> String {
        parameters[name]?.string ?? ""
    }

    /// An optional string parameter (absent and null are the same).
    func optionalString(_ name: String) -> String? {
        parameters[name]?.string
    }

    /// An optional bool parameter.
    func optionalBool(_ name: String) -> Bool? {
        parameters[name]?.bool
    }

    /// An optional int parameter (out of `Int`'s range counts as absent).
    func optionalInt(_ name: String) -> Int? {
        parameters[name]?.int.flatMap { Int(exactly: $0) }
    }

    /// The `client` parameter (`ClientInfo`), empty if absent.
    var client: ClientContext {
        guard let info = parameters["client"]?.object else { return ClientContext() }
        return ClientContext(ip: info["ip"]?.string, userAgent: info["user_agent"]?.string,
                             language: info["language"]?.string)
    }
}
