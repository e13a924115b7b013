/// Why a master-key rotation was refused. Nothing was changed.
///
/// - Important: reasons and messages never contain key material.
public enum MasterKeyRotationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The new key could not be used; `reason` is a short code: `invalid_name`,
    /// `no_credentials_directory`, `missing`, `not_regular`, `unreadable`,
    /// `malformed`, `too_permissive`, `wrong_owner`.
    case credentialUnavailable(credential: String, reason: String, message: String)
    /// The new key is the one in use (a mix-up of files, most likely).
    case sameKey(keyID: String)
    /// The daemon runs on the development key file, which rotation does not replace.
    case developmentKeyFile(path: String)

    /// A short code for the varlink error and the audit entry.
    public var reason: String {
        switch self {
        case .credentialUnavailable(_, let reason, _): return reason
        case .sameKey: return "same_key"
        case .developmentKeyFile: return "development_key_file"
        }
    }

    /// A message that says what went wrong and how to fix it.
    public var description: String {
        switch self {
        case .credentialUnavailable(_, _, let message):
            return message
        case .sameKey(let id):
            return "the new master key is the one in use (id \(id)); nothing was changed — make a new key (openssl rand -hex 32) and pass that"
        case .developmentKeyFile(let path):
            return "riegeld runs on the development key file \(path), which master-key rotation does not replace; run riegeld with the systemd credential riegel-master-key to rotate"
        }
    }
}
