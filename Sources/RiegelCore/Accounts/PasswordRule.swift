/// A rule of the ``PasswordPolicy``; its raw value is the stable name that
/// goes into `WeakPassword(reasons)` and the audit trail.
///
/// - Important: the raw values are a contract with portal back ends that
///   translate them for users. Add cases freely; never rename one.
public enum PasswordRule: String, Sendable, Hashable, Codable, CaseIterable {
    /// Fewer Unicode scalars (after NFC) than the minimum length.
    case tooShort = "too_short"
    /// More Unicode scalars (after NFC) than the maximum length.
    case tooLong = "too_long"
    /// Contains the username, or a part of it at least four characters long,
    /// regardless of case.
    case containsUsername = "contains_username"
    /// Contains the e-mail address or its local part (or a part of that at
    /// least four characters long), regardless of case.
    case containsEmail = "contains_email"
    /// Is, regardless of case, on the blocklist of common passwords.
    case blocklisted = "blocklisted"
    /// One character repeated (`aaaaaaaa`).
    case repeatedCharacter = "repeated_character"
    /// A simple run: ascending or descending letters or digits (`abcdefgh`,
    /// `87654321`) or a stretch of a keyboard row (`qwertzui`, `asdfghjk`).
    case sequence = "sequence"

    /// The stable name (the raw value).
    public var name: String { rawValue }
}
