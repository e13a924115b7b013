#if canImport(Glibc)
import Glibc
#endif

/// Why the `[audit] syslog` sink could not be set up at start.
public enum SyslogSinkError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The socket path does not fit a Unix socket address (107 bytes).
    case pathTooLong(String)
    /// `socket(AF_UNIX, SOCK_DGRAM)` failed with this errno.
    case socket(errno: Int32)

    /// What went wrong and what to do, for the startup error.
    public var description: String {
        switch self {
        case .pathTooLong(let path): "syslog socket path is \(path.utf8.count) bytes long; at most 107 fit"
        case .socket(let e): "cannot make a datagram socket for syslog: \(String(cString: strerror(e)))"
        }
    }
}
