#if canImport(Glibc)
import Glibc
#endif
import Varlink
import XCTest

/// A blocking Unix-socket client that speaks raw bytes, to test framing exactly.
final class RawVarlinkSocket: @unchecked Sendable {  // send and read may run on two threads; read state is single-threaded
    private let fd: CInt
    private var buffer: [UInt8] = []

    init(path: String, receiveTimeout: Double = 5) throws {
        fd = socket(AF_UNIX, CInt(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(errno: errno) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8)
            raw.copyBytes(from: bytes.prefix(raw.count - 1))
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else {
            let code = errno
            Glibc.close(fd)
            throw POSIXError(errno: code)
        }
        var timeout = timeval(tv_sec: Int(receiveTimeout), tv_usec: Int((receiveTimeout - receiveTimeout.rounded(.down)) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { Glibc.close(fd) }

    /// Sends raw text (callers add the NUL terminators themselves).
    func sendRaw(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, CInt(MSG_NOSIGNAL)) }
    }

    /// Sends as much of `bytes` as the socket takes without blocking; returns how much (0 when full).
    func sendWithoutBlocking(_ bytes: [UInt8]) -> Int {
        let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, CInt(MSG_NOSIGNAL | MSG_DONTWAIT)) }
        return max(sent, 0)
    }

    /// Shrinks the kernel's receive buffer, so unread replies back up quickly.
    func setReceiveBuffer(_ bytes: CInt) {
        var size = bytes
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<CInt>.size))
    }

    /// Whether the server closes the connection within `timeout` seconds, seen without
    /// reading anything (reading would let the server catch up): poll reports POLLHUP.
    func closedByPeer(within timeout: Double) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLHUP), revents: 0)
        let deadline = ContinuousClock.now + .seconds(timeout)
        while ContinuousClock.now < deadline {
            if poll(&entry, 1, 50) > 0, entry.revents & Int16(POLLHUP) != 0 { return true }
        }
        return false
    }

    /// Sends one message followed by NUL.
    func send(_ json: String) {
        sendRaw(json + "\0")
    }

    enum ReadResult: Equatable {
        case message(JSONValue)
        case closed
        case timedOut
    }

    /// Reads one NUL-terminated message, or reports EOF / timeout.
    func read() -> ReadResult {
        while true {
            if let nul = buffer.firstIndex(of: 0) {
                let frame = Array(buffer[..<nul])
                buffer.removeSubrange(...nul)
                guard let value = try? JSONValue.parse(frame) else { return .message(.string("<invalid JSON>")) }
                return .message(value)
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count == 0 { return .closed }
            if count < 0 { return errno == EAGAIN || errno == EWOULDBLOCK ? .timedOut : .closed }
            buffer.append(contentsOf: chunk[..<count])
        }
    }

    /// Reads one message and fails the test if there is none.
    func reply(file: StaticString = #filePath, line: UInt = #line) -> JSONValue {
        switch read() {
        case .message(let value): return value
        case let other:
            XCTFail("expected a reply, got \(other)", file: file, line: line)
            return .null
        }
    }

    /// Calls and returns the reply.
    func call(_ json: String, file: StaticString = #filePath, line: UInt = #line) -> JSONValue {
        send(json)
        return reply(file: file, line: line)
    }
}

extension POSIXError {
    init(errno code: CInt) {
        self.init(POSIXErrorCode(rawValue: code) ?? .EIO)
    }
}
