import Logging

/// `[daemon]`: where riegeld keeps its state and how it serves its socket.
public struct DaemonConfig: Sendable, Equatable {
    /// Directory holding `riegel.sqlite` (and, by default, the SMS outbox).
    public var stateDirectory = "/var/lib/riegel"
    /// Socket bound when not socket-activated.
    public var socketPath = "/run/riegel/riegel.sock"
    /// File mode set on a socket riegeld binds itself (octal), so non-root clients can connect.
    public var socketMode: UInt32 = 0o660
    /// Connections served at once; further ones are closed at accept.
    public var maxConnections = 1024
    /// Connections served at once from one peer uid (at most `max_connections`), so one
    /// local user cannot take every slot; further ones from that uid are closed at accept.
    public var maxConnectionsPerUID = 256
    /// Event-loop threads serving the socket (0: one per core).
    public var eventLoops = 0
    /// Threads that run call handlers and services, which may wait on the
    /// database (a SQLite fsync, a PostgreSQL round trip); 0: Swift's
    /// cooperative pool (one thread per core), where a slow disk stalls every task.
    /// Eight: enough for a waiting SQLite writer, concurrent WAL readers and
    /// PostgreSQL round trips, so a slow disk delays only the calls that touch it.
    public var blockingThreads = 8
    /// Largest varlink message (bytes, without the NUL) before the connection is closed.
    public var maxMessageSize = 1_048_576
    /// A connection with no call for this long is closed.
    public var idleConnectionTimeout = ConfigDuration.minutes(5)
    /// A connection whose peer leaves its replies unread this long is closed, calls queued or not.
    public var writeStallTimeout = ConfigDuration.seconds(30)
    /// A message must arrive whole (up to its NUL) within this long after its first byte, or
    /// the connection is closed: a sender of one byte a second (slowloris) cannot hold it.
    public var messageTimeout = ConfigDuration.seconds(10)
    /// Calls read from one connection and waiting for their turn; at this many riegeld
    /// reads no more from it until it catches up (replies come in call order).
    public var maxPendingCalls = 64
    /// Refused calls (`permission.denied`) are audited per peer uid and method: the first at
    /// once, then one entry with the count per this interval while they go on.
    public var permissionDeniedAuditInterval = ConfigDuration.seconds(60)
    /// Lowest level that is logged.
    public var logLevel = Logger.Level.info
    /// Whether, without the systemd credential `riegel-master-key`, the master
    /// key may come from (or be created as) `<state_directory>/master.key`.
    /// For development and tests only: production passes a credential.
    public var allowMasterKeyFile = false

    /// The defaults.
    public init() {}

    static func read(_ s: inout ConfigSection) -> DaemonConfig {
        var c = DaemonConfig()
        c.stateDirectory = s.nonEmptyString("state_directory", c.stateDirectory)
        c.socketPath = s.nonEmptyString("socket_path", c.socketPath)
        if c.socketPath.utf8.count > 107 {
            s.report("socket_path", "is \(c.socketPath.utf8.count) bytes long; Unix socket paths take at most 107, use a shorter path")
        }
        c.socketMode = s.value("socket_mode", c.socketMode) { node in
            ConfigValueError.string(node).flatMap { text in
                guard text.count >= 3, text.count <= 4, let mode = UInt32(text, radix: 8), mode <= 0o777 else {
                    return .failure(.init(#""\#(text)" is not a file mode; use octal digits in quotes, e.g. "0660""#))
                }
                return .success(mode)
            }
        }
        c.maxConnections = s.int("max_connections", c.maxConnections, in: 1...1_000_000)
        c.maxConnectionsPerUID = s.int("max_connections_per_uid", min(c.maxConnectionsPerUID, c.maxConnections),
                                       in: 1...1_000_000)
        if c.maxConnectionsPerUID > c.maxConnections {
            s.report("max_connections_per_uid", "\(c.maxConnectionsPerUID) is more than max_connections (\(c.maxConnections)); make it at most that")
        }
        c.eventLoops = s.int("event_loops", c.eventLoops, in: 0...1024)
        c.blockingThreads = s.int("blocking_threads", c.blockingThreads, in: 0...256)
        c.maxMessageSize = s.int("max_message_size", c.maxMessageSize, in: 1024...(64 << 20))
        c.idleConnectionTimeout = s.duration("idle_connection_timeout", c.idleConnectionTimeout)
        c.writeStallTimeout = s.duration("write_stall_timeout", c.writeStallTimeout)
        c.messageTimeout = s.duration("message_timeout", c.messageTimeout)
        c.maxPendingCalls = s.int("max_pending_calls", c.maxPendingCalls, in: 1...4096)
        c.permissionDeniedAuditInterval = s.duration("permission_denied_audit_interval", c.permissionDeniedAuditInterval)
        c.logLevel = s.value("log_level", c.logLevel) { node in
            ConfigValueError.string(node).flatMap { text in
                guard let level = Logger.Level(rawValue: text) else {
                    let allowed = Logger.Level.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
                    return .failure(.init("\"\(text)\" is not a log level; use one of \(allowed)"))
                }
                return .success(level)
            }
        }
        c.allowMasterKeyFile = s.bool("allow_master_key_file", c.allowMasterKeyFile)
        return c
    }
}
