/// Sends a copy of each recorded audit entry to another sink (e.g. a syslog
/// collector), after the entry is in the audit trail.
///
/// - Important: `forward` runs on the path of the operation that caused the
///   event (a login): it must neither block nor fail it. A sink that cannot
///   take the copy drops it (and counts it). The copy carries what the
///   journald copy carries, never the readable username or user agent (a copy
///   cannot be blanked when the account is deleted; security rule 9 holds).
public protocol AuditForwarder: Sendable {
    /// Hands `entry` to the sink without waiting for it.
    func forward(_ entry: AuditEntry)
}
