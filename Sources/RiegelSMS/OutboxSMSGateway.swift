import Foundation
import RiegelCore

/// The `outbox` gateway: appends one JSON line per message to a file, for
/// development and tests (`{"time":"2026-11-25T05:27:26Z","to":"+4915112345678","text":"..."}`).
///
/// Writers are serialized by the actor; each line is written with `O_APPEND`
/// and `fsync`ed before ``send(_:)`` returns, so the line is on disk before
/// the call that sent it replies. A missing file is created with mode 0600.
///
/// - Important: the file holds live one-time codes; it must stay 0600.
///   ``checkReadiness()`` refuses a file that group or others can access.
public actor OutboxSMSGateway: SMSGateway {
    /// The gateway's name from the config.
    public nonisolated let name: String
    /// The file the lines are appended to.
    public nonisolated let path: String
    private let clock: any WallClock

    /// An outbox appending to `path`, stamping lines with `clock`'s time.
    public init(name: String = "outbox", path: String, clock: any WallClock) {
        self.name = name
        self.path = path
        self.clock = clock
    }

    /// The line written for `message` at `time`, with its trailing newline.
    public nonisolated static func line(for message: SMSMessage, at time: Instant) -> String {
        SMSJSON.object([("time", RFC3339.format(time)), ("to", message.to), ("text", message.text)]) + "\n"
    }

    /// Appends the message's line and syncs it to disk.
    public func send(_ message: SMSMessage) async throws {
        let bytes = Array(Self.line(for: message, at: clock.now()).utf8)
        let fd = try openForAppend()
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBufferPointer { write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("cannot write to \(path): \(Self.describe(errno)); check free space and the file's owner")
            }
            written += n
        }
        guard fsync(fd) == 0 else {
            throw failure("cannot sync \(path): \(Self.describe(errno)); check the file system")
        }
    }

    /// Checks that the file's directory exists and is writable, and that an
    /// existing file is writable and not open to group or others.
    public func checkReadiness() async throws {
        let directory = (path as NSString).deletingLastPathComponent
        let dir = directory.isEmpty ? "." : directory
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw failure("the directory \(dir) does not exist; create it for the riegel user (StateDirectory= in the unit)")
        }
        guard access(dir, W_OK) == 0 else {
            throw failure("the directory \(dir) is not writable; give the riegel user write access or choose another path")
        }
        var st = stat()
        if stat(path, &st) == 0 {
            guard access(path, W_OK) == 0 else {
                throw failure("\(path) is not writable; chown it to the riegel user")
            }
            guard st.st_mode & 0o077 == 0 else {
                throw failure("\(path) is readable by group or others and holds live codes; run chmod 600 \(path)")
            }
        }
    }

    private func openForAppend() throws -> Int32 {
        while true {
            let fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
            if fd >= 0 { return fd }
            if errno == EINTR { continue }
            guard errno == ENOENT else {
                throw failure("cannot open \(path): \(Self.describe(errno)); check the path and its permissions")
            }
            let created = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_CREAT | O_EXCL, 0o600)
            if created >= 0 {
                syncDirectory()
                return created
            }
            if errno == EEXIST || errno == EINTR { continue }
            throw failure("cannot create \(path): \(Self.describe(errno)); create its directory, writable for the riegel user")
        }
    }

    /// Makes a new file's directory entry durable too.
    private func syncDirectory() {
        let directory = (path as NSString).deletingLastPathComponent
        let fd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    private func failure(_ reason: String) -> SMSGatewayError {
        .unavailable(gateway: name, reason: reason)
    }

    static func describe(_ code: Int32) -> String { String(cString: strerror(code)) }
}
