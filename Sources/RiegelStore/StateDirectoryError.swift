/// Why the state directory was refused. Each message says how to fix it.
public enum StateDirectoryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The directory is missing and so is its parent.
    case parentMissing(path: String)
    /// The path exists but is not a directory.
    case notADirectory(path: String)
    /// Group or others may write to the directory.
    case tooPermissive(path: String, mode: UInt32)
    /// Someone else owns the directory.
    case wrongOwner(path: String, owner: UInt32, expected: UInt32)
    /// A system call failed.
    case systemError(path: String, call: String, errno: Int32)

    /// A message that says what went wrong and how to fix it.
    public var description: String {
        switch self {
        case .parentMissing(let path):
            return "state directory \(path) does not exist and neither does its parent; create the parent (systemd: StateDirectory=riegel) and start again"
        case .notADirectory(let path):
            return "state directory \(path) exists but is not a directory; remove it or point daemon.state_directory elsewhere"
        case .tooPermissive(let path, let mode):
            return "state directory \(path) has mode \(String(mode & 0o7777, radix: 8)) and is writable by group or others; run: chmod 0700 \(path)"
        case .wrongOwner(let path, let owner, let expected):
            return "state directory \(path) is owned by uid \(owner), not by uid \(expected) that riegel runs as; run: chown \(expected) \(path)"
        case .systemError(let path, let call, let errno):
            return "\(call) on state directory \(path) failed with errno \(errno); check the path and its permissions"
        }
    }
}
