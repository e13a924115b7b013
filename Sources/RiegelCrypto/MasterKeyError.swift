/// Why no master key could be loaded. Each message says how to fix it.
///
/// - Important: messages never contain key material.
public enum MasterKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The key is not 32 raw bytes or 64 hex characters.
    case malformed(path: String, length: Int)
    /// `$CREDENTIALS_DIRECTORY` is set but the credential is not in it, and key files are off.
    case credentialMissing(path: String)
    /// Neither a credential nor (in development) a key file may be used.
    case noSource
    /// The key file is readable or writable by group or others.
    case keyFileTooPermissive(path: String, mode: UInt32)
    /// The key file belongs to another uid.
    case keyFileWrongOwner(path: String, owner: UInt32, expected: UInt32)
    /// The key file is a symlink, directory or other non-regular file.
    case keyFileNotRegular(path: String)
    /// A system call failed.
    case systemError(path: String, call: String, errno: Int32)

    /// A message that says what went wrong and how to fix it.
    public var description: String {
        switch self {
        case .malformed(let path, let length):
            return "master key \(path) has \(length) bytes; it must hold 32 raw bytes or 64 hex characters (make one with: openssl rand -hex 32 > \(path))"
        case .credentialMissing(let path):
            return "systemd credential \(path) is missing; add LoadCredential=riegel-master-key:/etc/riegel/master.key (or LoadCredentialEncrypted=) to riegel.service"
        case .noSource:
            return "no master key: run under systemd with LoadCredential=riegel-master-key:PATH (sets $CREDENTIALS_DIRECTORY), or enable the development key file"
        case .keyFileTooPermissive(let path, let mode):
            return "master key file \(path) has mode \(String(mode & 0o7777, radix: 8)); it must be private: run chmod 0600 \(path)"
        case .keyFileWrongOwner(let path, let owner, let expected):
            return "master key file \(path) is owned by uid \(owner), not uid \(expected) that riegel runs as; run chown \(expected) \(path)"
        case .keyFileNotRegular(let path):
            return "master key file \(path) is not a regular file (symlinks are refused); replace it with the key file itself"
        case .systemError(let path, let call, let errno):
            return "\(call) on master key \(path) failed with errno \(errno); check the path and its permissions"
        }
    }
}
