/// Where a re-wrap job is: it runs until no long-lived row of its purpose is
/// under an older key, then finishes; a row it cannot open fails it.
///
/// - Important: the raw values are stored (`key_rewrap.state`) and sent
///   (`io.riegel.Admin.Rewrap.state`); never rename a case.
public enum KeyRewrapState: String, Sendable, Hashable, CaseIterable, Codable {
    /// Moving rows to the active key, batch by batch (resumed after a restart).
    case running
    /// No long-lived row of the purpose is under an older key any more.
    case finished
    /// Stopped at a row it could not open or re-seal (see ``KeyRewrap/problem``).
    case failed
}
