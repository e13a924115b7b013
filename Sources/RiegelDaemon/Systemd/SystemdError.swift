#if canImport(Glibc)
import Glibc
#endif

/// A failed systemd interaction (notify socket, socket activation), with the
/// system's reason and what to check.
public struct SystemdError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What failed, why, and how to fix it.
    public var message: String

    /// Wraps a message.
    public init(_ message: String) {
        self.message = message
    }

    /// `what: strerror(errno)` plus a hint.
    static func errno(_ what: String, _ code: Int32, hint: String) -> SystemdError {
        SystemdError("\(what): \(String(cString: strerror(code))); \(hint)")
    }

    /// The message.
    public var description: String { message }
}
