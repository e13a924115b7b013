#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// ``UserDatabase`` backed by the C library (`getpwnam_r`, `getgrnam_r`,
/// `getpwuid_r`, `getgrouplist`), so NSS sources (files, systemd-userdb, LDAP)
/// all count.
public struct SystemUserDatabase: UserDatabase {
    /// Creates the database view.
    public init() {}

    public func uid(ofUser name: String) -> UInt32? {
        lookup { buf, value in
            var pwd = passwd()
            var result: UnsafeMutablePointer<passwd>?
            let rc = getpwnam_r(name, &pwd, buf.baseAddress!, buf.count, &result)
            if rc == 0, result != nil { value = UInt32(pwd.pw_uid) }
            return rc
        }
    }

    public func gid(ofGroup name: String) -> UInt32? {
        lookup { buf, value in
            var gr = group()
            var result: UnsafeMutablePointer<group>?
            let rc = getgrnam_r(name, &gr, buf.baseAddress!, buf.count, &result)
            if rc == 0, result != nil { value = UInt32(gr.gr_gid) }
            return rc
        }
    }

    public func groups(ofUID uid: UInt32, primaryGid: UInt32) -> Set<UInt32> {
        let userName: String? = lookup { buf, value in
            var pwd = passwd()
            var result: UnsafeMutablePointer<passwd>?
            let rc = getpwuid_r(uid_t(uid), &pwd, buf.baseAddress!, buf.count, &result)
            if rc == 0, result != nil, let name = pwd.pw_name { value = String(cString: name) }
            return rc
        }
        guard let userName else { return [] }
        var count: Int32 = 64
        while true {
            var list = [gid_t](repeating: 0, count: Int(count))
            let n = getgrouplist(userName, gid_t(primaryGid), &list, &count)
            if n >= 0 {
                return Set(list.prefix(Int(count)).map { UInt32($0) })
            }
            if count > 65_536 { return [primaryGid] }
            count *= 2
        }
    }

    /// Runs a reentrant `get*_r` call, growing its buffer while it says ERANGE.
    private func lookup<T>(_ body: (UnsafeMutableBufferPointer<CChar>, inout T?) -> Int32) -> T? {
        var size = 4096
        while size <= 1 << 22 {
            let buffer = UnsafeMutableBufferPointer<CChar>.allocate(capacity: size)
            defer { buffer.deallocate() }
            var value: T?
            let rc = body(buffer, &value)
            if rc != ERANGE { return value }
            size *= 4
        }
        return nil
    }
}
