/// The life cycle of a data key: active → decrypt_only → retired.
///
/// - Important: exactly one key per purpose is `active`; only it seals or
///   digests new data.
public enum KeyState: String, Sendable, Hashable, CaseIterable, Codable {
    /// Seals and digests new data; at most one per purpose.
    case active
    /// Opens and checks existing data only (after a rotation, until re-encryption).
    case decryptOnly = "decrypt_only"
    /// No data uses it any more; kept for the record, never unwrapped.
    case retired
}
