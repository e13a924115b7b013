/// The varlink interfaces riegel serves, compiled into the binary from
/// `Sources/RiegelRPC/IDL/*.varlink` (the project's source of truth), each
/// with the role its callers need and the handler files that bind its methods.
public enum RiegelIDL {
    /// `io.riegel.Auth`: for portal back ends.
    public static let auth = String(decoding: PackageResources.io_riegel_Auth_varlink, as: UTF8.self)
    /// `io.riegel.Admin`: for administrators.
    public static let admin = String(decoding: PackageResources.io_riegel_Admin_varlink, as: UTF8.self)
    /// `io.riegel.Audit`: for the security team.
    public static let audit = String(decoding: PackageResources.io_riegel_Audit_varlink, as: UTF8.self)

    /// Every riegel interface, in the order `GetInfo` lists them. To add a
    /// method: declare it in the `.varlink` file and bind it in one of the
    /// interface's handler files listed here.
    public static let interfaces: [RiegelInterface] = [
        RiegelInterface(idl: auth, role: .portal, parts: [
            AuthHandlers.table, AccessHandlers.table, DeviceHandlers.table,
        ]),
        RiegelInterface(idl: admin, role: .admin, parts: [
            AdminHandlers.table, { AdminKeyHandlers.table($0.keys) },
        ]),
        RiegelInterface(idl: audit, role: .audit, parts: [AuditHandlers.table]),
    ]
}
