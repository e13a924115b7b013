/// `[audit]`: how long the trail is kept, and where copies of audit events
/// go besides the journal.
public struct AuditConfig: Sendable, Equatable {
    /// Entries older than this are pruned behind a signed anchor (the
    /// retained trail still verifies); nil (the default): kept for ever.
    public var retention: ConfigDuration?
    /// Entries removed per prune transaction, so a prune never holds the
    /// write lock for long.
    public var pruneBatchSize = 1000

    /// A Unix datagram socket (e.g. `/dev/log`) that gets every audit event
    /// as one RFC 5424 message (facility authpriv); nil (the default): no
    /// syslog copy. journald always gets its copy.
    public var syslog: String?

    /// The defaults.
    public init() {}

    static func read(_ s: inout ConfigSection) -> AuditConfig {
        var c = AuditConfig()
        c.retention = s.optionalDuration("retention")
        c.pruneBatchSize = s.int("prune_batch_size", c.pruneBatchSize, in: 1...100_000)
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
