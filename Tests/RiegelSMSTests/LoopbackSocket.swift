import Foundation

/// A TCP socket on 127.0.0.1 with a kernel-chosen port, for tests: listening
/// but never accepting (a server that takes the connection and never answers),
/// or bound without listening (nothing answers: connections are refused).
final class LoopbackSocket {
    let fd: Int32
    let port: Int

    /// A socket on a free port; `listening` decides whether connections complete.
    init(listening: Bool) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { _ = Foundation.close(fd); throw POSIXError(.EADDRINUSE) }
        if listening { listen(fd, 16) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: addr.sin_port))
    }

    /// A port that was free a moment ago (for daemons that pick their own ports).
    static func freePort() throws -> Int {
        let s = try LoopbackSocket(listening: false)
        defer { s.close() }
        return s.port
    }

    private var closed = false

    /// Closes the socket (once; later calls do nothing).
    func close() {
        guard !closed else { return }
        closed = true
        _ = Foundation.close(fd)
    }

    deinit { close() }
}
