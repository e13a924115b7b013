/// Where a stored factor is in its life.
///
/// - Important: raw values are stored; never rename a case.
public enum FactorState: String, Sendable, Hashable, Codable, CaseIterable {
    /// Enrolment started, waiting for its first valid code (TOTP).
    case pending
    /// In use: answers challenges.
    case active
}
