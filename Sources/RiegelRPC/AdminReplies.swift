import RiegelCore
import Varlink

/// Encodes the replies of `io.riegel.Admin` methods.
enum AdminReplies {
    /// `Status` reply.
    static func status(_ s: DaemonStatus) -> [String: JSONValue] {
        [
            "state": .string(s.state.rawValue),
            "version": .string(s.version),
            "started_at": .string(RFC3339.format(s.startedAt)),
            "uptime": .int(Int64(s.uptimeSeconds)),
            "checks": .array(s.checks.map { check in
                var o: [String: JSONValue] = ["name": .string(check.name), "ok": .bool(check.ok)]
                if let detail = check.detail { o["detail"] = .string(detail) }
                return .object(o)
            }),
        ]
    }
}
