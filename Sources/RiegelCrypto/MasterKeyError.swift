/// Why no master key could be loaded. Each message says how to fix it.
///
/// - Important: messages never contain key material.
public enum MasterKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The key is not 32 raw bytes or 64 hex characters.
    case malformed(path: String, length: Int)
    /// The credential is not in `$CREDENTIALS_DIRECTORY` (and, at start, key files are off).
    case credentialMissing(path: String)
    /// Neither a credential nor (in development) a key file may be used.
    case noSource
    /// A credential name was given but `$CREDENTIALS_DIRECTORY` is not set.
    case noCredentialsDirectory(name: String)
    /// Neither a valid credential name nor an absolute path without `..`
    /// (the text is not kept: it may be a key pasted by mistake).
    case invalidCredentialName
    /// A key file given by absolute path does not exist.
    case keyFileMissing(path: String)
    /// The development key file is gone while the database holds data keys
    /// wrapped under a master key: a new key would lock that data away.
    case developmentKeyFileLost(path: String)
    /// The key file is readable or writable by group or others.
    case keyFileTooPermissive(path: String, mode: UInt32)
    /// The key file belongs to another uid.
    case keyFileWrongOwner(path: String, owner: UInt32, expected: UInt32)
    /// The key file (or credential) is a symlink, directory or other non-regular file.
    case keyFileNotRegular(path: String)
    /// The credential is accessible to others, or writable or executable by its group.
    case credentialTooPermissive(path: String, mode: UInt32)
    /// The credential belongs to neither riegel's uid nor root.
    case credentialWrongOwner(path: String, owner: UInt32, expected: UInt32)
    /// A system call failed.
    case systemError(path: String, call: String, errno: Int32)

    /// A short code for replies and audit entries: `malformed`, `missing`,
    /// `no_credentials_directory`, `invalid_name`, `too_permissive`,
    /// `wrong_owner`, `not_regular` or `unreadable`.
    public var reason: String {
        switch self {
        case .malformed: return "malformed"
        case .credentialMissing, .keyFileMissing, .developmentKeyFileLost: return "missing"
        case .noSource, .noCredentialsDirectory: return "no_credentials_directory"
        case .invalidCredentialName: return "invalid_name"
        case .keyFileTooPermissive, .credentialTooPermissive: return "too_permissive"
        case .keyFileWrongOwner, .credentialWrongOwner: return "wrong_owner"
        case .keyFileNotRegular: return "not_regular"
        case .systemError: return "unreadable"
        }
    }

    /// A message that says what went wrong and how to fix it.
    public var description: String {
        switch self {
        case .malformed(let path, let length):
            return "master key \(path) has \(length) bytes; it must hold 32 raw bytes or 64 hex characters (make one with: openssl rand -hex 32 > \(path))"
        case .credentialMissing(let path):
            let name = path.split(separator: "/").last.map(String.init) ?? path
            return "systemd credential \(path) is missing; add LoadCredential=\(name):/etc/riegel/master.key (or LoadCredentialEncrypted=) to riegeld.service"
        case .noSource:
            return "no master key: run under systemd with LoadCredential=riegel-master-key:PATH (sets $CREDENTIALS_DIRECTORY), or enable the development key file"
        case .noCredentialsDirectory(let name):
            return "credential \(name) cannot be read: riegeld has no $CREDENTIALS_DIRECTORY (it was not started with LoadCredential=); pass an absolute path instead"
        case .invalidCredentialName:
            // The text is not repeated: it may be a key pasted by mistake.
            return "the credential given is neither a systemd credential name (letters, digits and ._-@:+, not starting with '.') nor an absolute path without '..'"
        case .keyFileMissing(let path):
            return "master key file \(path) does not exist (or riegeld cannot see it: check the unit's ProtectSystem= and related settings)"
        case .developmentKeyFileLost(let path):
            return "master key file \(path) is missing, but the database already holds data keys wrapped under a master key: put that key file back (from the backup made with the database); riegeld makes a new key only for a database without keys, as a new one could not open the stored data"
        case .keyFileTooPermissive(let path, let mode):
            return "master key file \(path) has mode \(String(mode & 0o7777, radix: 8)); it must be private: run chmod 0600 \(path)"
        case .keyFileWrongOwner(let path, let owner, let expected):
            return "master key file \(path) is owned by uid \(owner), not uid \(expected) that riegel runs as; run chown \(expected) \(path)"
        case .keyFileNotRegular(let path):
            return "master key file \(path) is not a regular file (symlinks are refused); replace it with the key file itself"
        case .credentialTooPermissive(let path, let mode):
            return "systemd credential \(path) has mode \(String(mode & 0o7777, radix: 8)); systemd hands credentials over read-only (0400, or 0440 when it grants the service user read by an ACL): if you set $CREDENTIALS_DIRECTORY yourself, run chmod 0400 \(path)"
        case .credentialWrongOwner(let path, let owner, let expected):
            return "systemd credential \(path) is owned by uid \(owner), neither uid \(expected) that riegel runs as nor root; if you set $CREDENTIALS_DIRECTORY yourself, run chown \(expected) \(path)"
        case .systemError(let path, let call, let errno):
            return "\(call) on master key \(path) failed with errno \(errno); check the path and its permissions"
        }
    }
}
