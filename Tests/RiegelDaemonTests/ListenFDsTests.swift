import Foundation
import Testing
@testable import RiegelDaemon
#if canImport(Glibc)
import Glibc
#endif

/// One test, because it sets LISTEN_* in the process environment.
@Suite(.serialized) struct ListenFDsTests {
    @Test func picksTheVarlinkDescriptorOnlyWhenActivatedForUs() throws {
        #expect(ProcessInfo.processInfo.environment["LISTEN_FDS"] == nil)
        #expect(try ListenFDs.varlinkDescriptor() == nil)

        // sd_listen_fds marks fds 3 and 4 close-on-exec, so they must be open:
        // hold /dev/null on whichever of them is free (never replacing anyone's fd).
        var mine: [Int32] = []
        while mine.count < 5 {
            let fd = open("/dev/null", O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { break }
            mine.append(fd)
            if fd > 4 { break }
        }
        defer { mine.forEach { close($0) } }
        try #require(fcntl(3, F_GETFD) >= 0 && fcntl(4, F_GETFD) >= 0)

        func activated(pid: Int32, fds: Int, names: String?) throws -> Int32? {
            setenv("LISTEN_PID", "\(pid)", 1)
            setenv("LISTEN_FDS", "\(fds)", 1)
            if let names { setenv("LISTEN_FDNAMES", names, 1) } else { unsetenv("LISTEN_FDNAMES") }
            let fd = try ListenFDs.varlinkDescriptor()
            #expect(getenv("LISTEN_FDS") == nil, "the variables are consumed")
            return fd
        }
        #expect(try activated(pid: getpid() + 1, fds: 1, names: "varlink") == nil)
        #expect(try activated(pid: getpid(), fds: 1, names: "varlink") == 3)
        #expect(try activated(pid: getpid(), fds: 2, names: "metrics:varlink") == 4)
        #expect(try activated(pid: getpid(), fds: 2, names: "a:b") == 3)
        #expect(try activated(pid: getpid(), fds: 1, names: nil) == 3)

        // Both sockets of riegeld.socket and riegeld-metrics.socket, in either order.
        func passed(_ names: String?) throws -> ListenFDs.Passed? {
            setenv("LISTEN_PID", "\(getpid())", 1)
            setenv("LISTEN_FDS", "2", 1)
            if let names { setenv("LISTEN_FDNAMES", names, 1) } else { unsetenv("LISTEN_FDNAMES") }
            return try ListenFDs.take()
        }
        let both = try #require(try passed("varlink:metrics"))
        #expect(both.varlink == 3 && both.metrics == 4)
        let swapped = try #require(try passed("metrics:varlink"))
        #expect(swapped.varlink == 4 && swapped.metrics == 3)
        // An unnamed second fd is never taken for metrics.
        let unnamed = try #require(try passed(nil))
        #expect(unnamed.varlink == 3 && unnamed.metrics == nil)
        #expect(try ListenFDs.take() == nil, "the variables are consumed")
    }

    @Test func onlyListeningUnixStreamSocketsAreAccepted() throws {
        let path = NSTemporaryDirectory() + "/riegel-listen-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        defer { unlink(path) }
        let stream = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { close(stream) }
        #expect(throws: SystemdError.self) { try ListenFDs.requireListeningUnixStream(stream) }  // not listening yet
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(stream, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(bound == 0 && listen(stream, 4) == 0)
        try ListenFDs.requireListeningUnixStream(stream)

        let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer { close(devNull) }
        #expect(throws: SystemdError.self) { try ListenFDs.requireListeningUnixStream(devNull) }
    }
}
