import RiegelCore

/// What `io.riegel.Admin.Status` reports: the daemon's state and its checks.
public struct DaemonStatus: Sendable, Equatable {
    /// The lifecycle state, as the IDL names it.
    public enum State: String, Sendable {
        case serving, reloading, stopping
    }

    /// One startup or health check.
    public struct Check: Sendable, Equatable {
        public var name: String
        public var ok: Bool
        public var detail: String?

        /// A check result; `detail` says what was found or what failed.
        public init(name: String, ok: Bool, detail: String? = nil) {
            self.name = name
            self.ok = ok
            self.detail = detail
        }
    }

    public var state: State
    public var version: String
    public var startedAt: Instant
    public var uptimeSeconds: Int
    public var checks: [Check]

    /// A status report.
    public init(state: State, version: String, startedAt: Instant, uptimeSeconds: Int, checks: [Check]) {
        self.state = state
        self.version = version
        self.startedAt = startedAt
        self.uptimeSeconds = uptimeSeconds
        self.checks = checks
    }
}
