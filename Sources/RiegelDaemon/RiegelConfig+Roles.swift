import RiegelRPC

extension RiegelConfig {
    /// The `[roles]` table keyed by role.
    var roleTable: [Role: [Principal]] {
        [.portal: roles.portal, .admin: roles.admin, .audit: roles.audit]
    }
}
