import RiegelRPC
/// `[roles]`: which callers may use which varlink interface.
public struct RolesConfig: Sendable, Equatable {
    /// Callers of `io.riegel.Auth` (the portal back ends).
    public var portal: [Principal] = [.group("riegel-portal")]
    /// Callers of `io.riegel.Admin`.
    public var admin: [Principal] = [.uid(0), .group("riegel-admin")]
    /// Callers of `io.riegel.Audit`.
    public var audit: [Principal] = [.uid(0), .group("riegel-audit")]

    /// The defaults.
    public init() {}

    static func read(_ s: inout ConfigSection) -> RolesConfig {
        var c = RolesConfig()
        c.portal = principals(&s, "portal", c.portal)
        c.admin = principals(&s, "admin", c.admin)
        c.audit = principals(&s, "audit", c.audit)
        return c
    }

    private static func principals(_ s: inout ConfigSection, _ key: String, _ fallback: [Principal]) -> [Principal] {
        s.value(key, fallback) { node in
            ConfigValueError.list(node) { item in
                ConfigValueError.string(item).flatMap { text in
                    guard let p = Principal(parsing: text) else {
                        return .failure(.init("\"\(text)\" is not a principal; \(Principal.hint)"))
                    }
                    return .success(p)
                }
            }
        }
    }
}
