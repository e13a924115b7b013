import RiegelCore
import RiegelService
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

    /// `Stats` reply.
    static func stats(_ s: DaemonStats) -> [String: JSONValue] {
        [
            "accounts": .int(Int64(s.accounts)),
            "sessions_active": .int(Int64(s.sessionsActive)),
            "challenges_pending": .int(Int64(s.challengesPending)),
            "sms_sent_last_hour": .int(Int64(s.smsSentLastHour)),
            "logins_failed_last_hour": .int(Int64(s.loginsFailedLastHour)),
        ]
    }

    /// `Account`, with the number of active trusted devices.
    static func account(_ a: AccountSummary, devices: Int) -> JSONValue {
        var o: [String: JSONValue] = [
            "user_id": .string(a.userID.rawValue),
            "username": .string(a.username),
            "created_at": .string(RFC3339.format(a.createdAt)),
            "second_factor": .bool(a.secondFactor),
            "sessions": .int(Int64(a.sessions)),
            "devices": .int(Int64(devices)),
        ]
        if let until = a.lockedUntil { o["locked_until"] = .string(RFC3339.format(until)) }
        if let last = a.lastLoginAt { o["last_login_at"] = .string(RFC3339.format(last)) }
        return .object(o)
    }

    /// `SmsCountryStats`.
    static func smsStats(_ s: SMSCountryStats) -> JSONValue {
        .object([
            "country_code": .string(s.countryCode), "sent": .int(Int64(s.sent)), "unsent": .int(Int64(s.unsent)),
            "challenges": .int(Int64(s.challenges)), "verified": .int(Int64(s.verified)),
        ])
    }
}
