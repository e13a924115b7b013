/// Who may call an interface: the `[roles]` table of the config maps
/// principals to these.
public enum Role: String, Sendable, Hashable, CaseIterable {
    /// Portal back ends: `io.riegel.Auth`.
    case portal
    /// Administrators: `io.riegel.Admin`.
    case admin
    /// The security team: `io.riegel.Audit`.
    case audit
}
