/// Whether an audited action succeeded.
///
/// - Important: the raw values are stored, hashed into the chain and sent over
///   varlink (`io.riegel.Audit.Event.outcome`); never rename a case.
public enum AuditOutcome: String, Sendable, Hashable, CaseIterable, Codable {
    /// The action happened (a login succeeded, a session was created).
    case success
    /// The action was refused or failed (wrong password, access denied).
    case failure
}
