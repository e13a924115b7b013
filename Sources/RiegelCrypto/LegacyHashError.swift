/// Why a legacy (imported) password hash could not be checked.
///
/// - Important: no case carries the password or the hash string; `reason`
///   names the broken rule only.
public enum LegacyHashError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The string does not start with an identifier riegel reads; `identifier` is
    /// the text between the first two `$` (at most 16 characters), never the hash.
    case unsupportedScheme(identifier: String)
    /// The string has a known identifier but is not well formed.
    case malformed(PasswordScheme, reason: String)
    /// The cost parameters are outside what riegel accepts (denial-of-service caps).
    case parametersOutOfRange(PasswordScheme, reason: String)
    /// The underlying library refused or failed.
    case backendFailed(PasswordScheme, reason: String)

    /// The scheme and the broken rule, without advice (for wrapping in ``PasswordHashError``).
    var summary: String {
        switch self {
        case .unsupportedScheme(let identifier): return "unsupported scheme '\(identifier)'"
        case .malformed(let scheme, let reason): return "\(scheme.rawValue): \(reason)"
        case .parametersOutOfRange(let scheme, let reason): return "\(scheme.rawValue): \(reason)"
        case .backendFailed(let scheme, let reason): return "\(scheme.rawValue): \(reason)"
        }
    }

    /// A message that says what went wrong and how to fix it.
    public var description: String {
        switch self {
        case .unsupportedScheme(let identifier):
            return "password hash scheme '\(identifier)' is not a legacy scheme riegel imports; it reads pbkdf2-sha256, "
                + "pbkdf2-sha512, bcrypt ($2b$, $2a$, $2y$) and scrypt ($scrypt$), and argon2id through "
                + "UpgradingPasswordHasher: convert the hash or reset the password"
        case .malformed(let scheme, let reason):
            return "\(scheme.rawValue) hash is malformed (\(reason)); check the export (see LegacyPasswordVerifier "
                + "for the accepted spellings) or reset the password of this account"
        case .parametersOutOfRange(let scheme, let reason):
            return "\(scheme.rawValue) hash parameters out of range (\(reason)); riegel refuses them to bound the "
                + "cost of one check: reset the password of this account, or raise LegacyHashLimits if the value is genuine"
        case .backendFailed(let scheme, let reason):
            return "\(scheme.rawValue) check failed in the crypto library (\(reason))"
        }
    }
}
