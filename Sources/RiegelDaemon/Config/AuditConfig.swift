/// `[audit]`: where copies of audit events go besides the journal.
public struct AuditConfig: Sendable, Equatable {
    /// A Unix datagram socket (e.g. `/dev/log`) that gets every audit event
    /// as one RFC 5424 message (facility authpriv); nil (the default): no
    /// syslog copy. journald always gets its copy.
    public var syslog: String?

    /// The defaults.
    public init() {}

    static func read(_ s: inout ConfigSection) -> AuditConfig {
        var c = AuditConfig()
        c.syslog = s.value("syslog", nil) { node in
            ConfigValueError.string(node).flatMap { path -> Result<String?, ConfigValueError> in
                guard path.hasPrefix("/") else {
                    return .failure(.init("\"\(path)\" is not an absolute path; give the syslog socket's full path, e.g. \"/dev/log\""))
                }
                guard path.utf8.count <= 107 else {
                    return .failure(.init("is \(path.utf8.count) bytes long; Unix socket paths take at most 107, use a shorter path"))
                }
                return .success(path)
            }
        }
        return c
    }
}
