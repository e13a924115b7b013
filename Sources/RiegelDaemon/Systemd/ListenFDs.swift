import CSystemd
#if canImport(Glibc)
import Glibc
#endif

/// Socket activation: finds the varlink socket (and the metrics socket, if
/// any) systemd or `systemd-socket-activate` passed us.
public enum ListenFDs {
    /// The first passed descriptor (`SD_LISTEN_FDS_START`).
    public static let start: Int32 = 3

    /// The descriptors systemd passed, with their names (`FileDescriptorName=`).
    public struct Passed: Sendable, Equatable {
        /// Each passed fd (from ``start`` on) and its name, if named.
        public var descriptors: [(fd: Int32, name: String?)]

        /// The fd named `varlink`, else the first one.
        public var varlink: Int32 {
            descriptors.first { $0.name == "varlink" }?.fd ?? start
        }

        /// The fd named `metrics`, if passed (never a guess: an unnamed fd is not metrics).
        public var metrics: Int32? {
            descriptors.first { $0.name == "metrics" }?.fd
        }

        public static func == (a: Passed, b: Passed) -> Bool {
            a.descriptors.map(\.fd) == b.descriptors.map(\.fd) && a.descriptors.map(\.name) == b.descriptors.map(\.name)
        }
    }

    /// What systemd passed; nil when not socket-activated (no `LISTEN_FDS`, or
    /// `LISTEN_PID` is another process).
    ///
    /// Unsets `LISTEN_PID`, `LISTEN_FDS` and `LISTEN_FDNAMES` so children do
    /// not inherit them; call it once at startup.
    public static func take() throws -> Passed? {
        var names: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        let count = sd_listen_fds_with_names(1, &names)
        defer {
            if let names {
                var i = 0
                while let entry = names[i] {
                    free(entry)
                    i += 1
                }
                free(names)
            }
        }
        guard count >= 0 else {
            throw SystemdError.errno("cannot read LISTEN_FDS", -count,
                                     hint: "check LISTEN_FDS, LISTEN_PID and LISTEN_FDNAMES set by the socket unit")
        }
        guard count > 0 else { return nil }
        var passed = Passed(descriptors: [])
        for i in 0..<Int(count) {
            let name = names.flatMap { $0[i] }.map { String(cString: $0) }
            passed.descriptors.append((fd: start + Int32(i), name: name == "unknown" ? nil : name))
        }
        return passed
    }

    /// The descriptor named `name` (`FileDescriptorName=` in the socket unit),
    /// else the first one; nil when not socket-activated. Consumes the
    /// variables as ``take()`` does.
    public static func varlinkDescriptor(named name: String = "varlink") throws -> Int32? {
        guard let passed = try take() else { return nil }
        return passed.descriptors.first { $0.name == name }?.fd ?? start
    }

    /// Throws unless `fd` is a listening stream socket (TCP or Unix), the kind the metrics endpoint serves on.
    public static func requireListeningStream(_ fd: Int32) throws {
        let result = sd_is_socket(fd, Int32(AF_UNSPEC), Int32(SOCK_STREAM.rawValue), 1)
        if result < 0 {
            throw SystemdError.errno("cannot inspect passed fd \(fd)", -result, hint: "check the socket unit")
        }
        if result == 0 {
            throw SystemdError("passed fd \(fd) (named metrics) is not a listening stream socket; use ListenStream=127.0.0.1:9967 in riegeld-metrics.socket")
        }
    }

    /// Throws unless `fd` is a listening `AF_UNIX` stream socket, the kind varlink serves on.
    public static func requireListeningUnixStream(_ fd: Int32) throws {
        let result = sd_is_socket_unix(fd, Int32(SOCK_STREAM.rawValue), 1, nil, 0)
        if result < 0 {
            throw SystemdError.errno("cannot inspect passed fd \(fd)", -result, hint: "check the socket unit")
        }
        if result == 0 {
            throw SystemdError("passed fd \(fd) is not a listening Unix stream socket; use ListenStream=/path in the socket unit (with FileDescriptorName=varlink)")
        }
    }
}
