/// Something a recorded failure changed, for the caller to audit.
///
/// - Important: every ``locked(until:)`` must reach the audit trail
///   (`account.locked`); security rule 4 requires lockouts to be audited.
public enum ThrottleEvent: Sendable, Hashable {
    /// A delay was engaged: attempts are refused until `until`.
    case delayEngaged(retryAfter: Int, until: Instant)
    /// The key was locked until `until`.
    case locked(until: Instant)
}
