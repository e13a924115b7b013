import CSystemd
#if canImport(Glibc)
import Glibc
#endif

/// Socket activation: finds the varlink socket systemd (or
/// `systemd-socket-activate`) passed us.
public enum ListenFDs {
    /// The first passed descriptor (`SD_LISTEN_FDS_START`).
    public static let start: Int32 = 3

    /// The descriptor named `name` (`FileDescriptorName=` in the socket unit),
    /// else the first one; nil when not socket-activated (no `LISTEN_FDS`, or
    /// `LISTEN_PID` is another process).
    ///
    /// Unsets `LISTEN_PID`, `LISTEN_FDS` and `LISTEN_FDNAMES` so children do
    /// not inherit them; call it once at startup.
    public static func varlinkDescriptor(named name: String = "varlink") throws -> Int32? {
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
        var chosen = start
        if let names {
            for i in 0..<Int(count) {
                if let entry = names[i], String(cString: entry) == name {
                    chosen = start + Int32(i)
                    break
                }
            }
        }
        return chosen
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
