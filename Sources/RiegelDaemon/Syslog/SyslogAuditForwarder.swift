import Logging
import RiegelCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The `[audit] syslog` sink: sends each audit entry as one RFC 5424 message
/// (``RFC5424Formatter``) in one datagram to a Unix socket such as `/dev/log`.
///
/// It never waits: the socket is non-blocking and each send uses
/// `MSG_DONTWAIT`, so a missing receiver (no socket, nobody bound) or a slow
/// one (its queue is full) costs one failed `sendto` and the message is
/// dropped and counted. Drops are logged as a warning: the first at once,
/// then at most one line per ``logInterval`` with the count since the last
/// line. The address is given on every send, so a receiver that restarts
/// and binds the path anew gets the next message.
public final class SyslogAuditForwarder: AuditForwarder {
    /// The socket path messages go to.
    public let path: String
    /// At most one "dropped" log line per this long.
    public static let logInterval: Duration = .seconds(10)

    let formatter: RFC5424Formatter
    let logger: Logger
    private let fd: Int32
    private let address: sockaddr_un
    private let addressLength: socklen_t
    private let sent = Atomic<Int>(0)
    private let dropped = Atomic<Int>(0)
    private let dropLog = Mutex<(last: ContinuousClock.Instant?, unreported: Int)>((nil, 0))

    /// A sink sending to the datagram socket at `path` (absolute, at most 107 bytes).
    /// - Throws: ``SyslogSinkError`` if the path is too long or no socket can be made.
    public init(path: String, formatter: RFC5424Formatter, logger: Logger) throws {
        guard path.utf8.count <= 107 else { throw SyslogSinkError.pathTooLong(path) }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SyslogSinkError.socket(errno: errno) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: pathBytes) }
        self.path = path
        self.formatter = formatter
        self.logger = logger
        self.fd = fd
        self.address = address
        self.addressLength = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + pathBytes.count + 1)
    }

    deinit { close(fd) }

    /// Messages handed to the receiver so far.
    public var sentCount: Int { sent.load(ordering: .relaxed) }
    /// Messages dropped so far (no receiver, full queue, too large).
    public var droppedCount: Int { dropped.load(ordering: .relaxed) }

    /// Sends `entry` without waiting; drops and counts it if the receiver cannot take it now.
    public func forward(_ entry: AuditEntry) {
        let bytes = Array(formatter.message(for: entry).utf8)
        let error = send(bytes)
        if error == 0 {
            sent.add(1, ordering: .relaxed)
        } else {
            noteDrop(errno: error, type: entry.event.type)
        }
    }

    /// 0 if the datagram went out, else the errno.
    private func send(_ bytes: [UInt8]) -> Int32 {
        var address = self.address
        let result = bytes.withUnsafeBytes { buffer in
            withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                    sendto(fd, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT) | Int32(MSG_NOSIGNAL), sa, addressLength)
                }
            }
        }
        return result < 0 ? errno : 0
    }

    private func noteDrop(errno error: Int32, type: String) {
        dropped.add(1, ordering: .relaxed)
        let now = ContinuousClock.now
        let report: Int? = dropLog.withLock { state in
            state.unreported += 1
            if let last = state.last, last.duration(to: now) < Self.logInterval { return nil }
            let count = state.unreported
            state = (now, 0)
            return count
        }
        guard let report else { return }
        logger.warning("syslog sink dropped audit messages (the audit trail and journald still have them)", metadata: [
            "syslog_path": "\(path)",
            "dropped": "\(report)",
            "dropped_total": "\(droppedCount)",
            "errno": "\(error)",
            "error": "\(String(cString: strerror(error)))",
            "audit_type": "\(type)",
        ])
    }
}
