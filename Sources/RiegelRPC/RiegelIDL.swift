/// The varlink interface descriptions riegel serves, compiled into the binary
/// from `Sources/RiegelRPC/IDL/*.varlink` (the project's source of truth).
public enum RiegelIDL {
    /// `io.riegel.Auth`: for portal back ends.
    public static let auth = String(decoding: PackageResources.io_riegel_Auth_varlink, as: UTF8.self)
    /// `io.riegel.Admin`: for administrators.
    public static let admin = String(decoding: PackageResources.io_riegel_Admin_varlink, as: UTF8.self)
    /// `io.riegel.Audit`: for the security team.
    public static let audit = String(decoding: PackageResources.io_riegel_Audit_varlink, as: UTF8.self)

    /// Every riegel interface with the role its callers need.
    public static let interfaces: [(name: String, role: Role, description: String)] = [
        ("io.riegel.Auth", .portal, auth),
        ("io.riegel.Admin", .admin, admin),
        ("io.riegel.Audit", .audit, audit),
    ]
}
