import CSystemd  // its headers pull in <sys/socket.h>; without this, SOCK_* may be invisible here
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Sends sd_notify state changes (`READY=1`, `STATUS=…`, `RELOADING=1`,
/// `STOPPING=1`, `WATCHDOG=1`) as one datagram each to `$NOTIFY_SOCKET`
/// (a path, or `@name` for the abstract namespace). Without
/// `$NOTIFY_SOCKET` every call is a no-op.
///
/// It speaks the datagram protocol directly instead of calling libsystemd's
/// `sd_notify`, so the environment can be injected in tests.
public struct SystemdNotifier: Sendable {
    /// The socket address from the environment; nil when not run by systemd.
    public let socketAddress: String?

    /// Reads `NOTIFY_SOCKET` from `environment`.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        socketAddress = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether messages go anywhere.
    public var isEnabled: Bool { socketAddress != nil }

    /// The service is up: the socket is served and startup checks passed.
    public func ready(status: String? = nil) throws {
        try send(["READY=1"] + Self.statusLine(status))
    }

    /// Free-form status shown by `systemctl status`.
    public func status(_ text: String) throws {
        try send(Self.statusLine(text))
    }

    /// Reloading configuration; follow with ``ready(status:)`` when done.
    /// Carries `MONOTONIC_USEC`, which systemd 253+ requires with `RELOADING=1`.
    public func reloading(status: String? = nil) throws {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let usec = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
        try send(["RELOADING=1", "MONOTONIC_USEC=\(usec)"] + Self.statusLine(status))
    }

    /// Shutting down.
    public func stopping(status: String? = nil) throws {
        try send(["STOPPING=1"] + Self.statusLine(status))
    }

    /// Keep-alive for `WatchdogSec=`.
    public func watchdog() throws {
        try send(["WATCHDOG=1"])
    }

    /// Sends `assignments` (`KEY=value`, no newlines inside) as one datagram.
    /// - Returns: false when `$NOTIFY_SOCKET` is unset (nothing sent).
    @discardableResult
    public func send(_ assignments: [String]) throws -> Bool {
        guard let address = socketAddress, !assignments.isEmpty else { return false }
        try Self.sendDatagram(assignments.joined(separator: "\n"), to: address)
        return true
    }

    private static func statusLine(_ text: String?) -> [String] {
        guard let text else { return [] }
        return ["STATUS=" + text.replacingOccurrences(of: "\n", with: " ")]
    }

    private static func sendDatagram(_ message: String, to address: String) throws {
        var path = Array(address.utf8)
        let abstract = path.first == UInt8(ascii: "@")
        if abstract { path[0] = 0 }
        guard path.first == UInt8(ascii: "/") || abstract else {
            throw SystemdError("NOTIFY_SOCKET=\(address) is neither an absolute path nor @abstract; unset it or fix the unit")
        }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: addr.sun_path)
        guard path.count < capacity else {
            throw SystemdError("NOTIFY_SOCKET=\(address) is longer than \(capacity - 1) bytes; use a shorter path")
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { $0.copyBytes(from: path) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + path.count + (abstract ? 0 : 1))

        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            throw SystemdError.errno("cannot create a notify socket", errno, hint: "check the process's file descriptor limit")
        }
        defer { close(fd) }
        let bytes = Array(message.utf8)
        let sent = bytes.withUnsafeBytes { buffer in
            withUnsafePointer(to: &addr) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL), $0, length)
                }
            }
        }
        guard sent == bytes.count else {
            throw SystemdError.errno("cannot send to NOTIFY_SOCKET=\(address)", errno,
                                     hint: "is the service manager (or test listener) still running?")
        }
    }
}
