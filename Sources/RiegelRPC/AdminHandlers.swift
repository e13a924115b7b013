import RiegelCore
import RiegelService
import Varlink

/// The bound methods of `io.riegel.Admin`.
enum AdminHandlers {
    static let interface = "io.riegel.Admin"

    static func table(_ m: RiegelMethods) -> [String: VarlinkMethodHandler] {
        [
            "Status": .immediate { _ in AdminReplies.status(m.status()) },
            "Stats": handler { _ in
                let hourAgo = m.clock.now().adding(seconds: -3600)
                return [
                    "accounts": .int(Int64(try m.accounts.accountCount())),
                    "sessions_active": .int(Int64(m.sessions.liveCount())),
                    "challenges_pending": .int(Int64(try m.sms.pendingCount())),
                    "sms_sent_last_hour": .int(Int64(try m.sms.stats(since: hourAgo).reduce(0) { $0 + $1.sent })),
                    "logins_failed_last_hour": .int(Int64(try m.auditReader.count(
                        matching: AuditFilter(types: ["login.failed", "device_login.failed"], since: hourAgo)))),
                ]
            },
            "GetAccount": handler { call in
                let summary = try m.accounts.summary(username: call.string("username"))
                return ["account": AdminReplies.account(summary, devices: try m.devices.liveCount(of: summary.userID))]
            },
            "ImportAccount": handler { call in
                let id = try m.accounts.importAccount(username: call.string("username"),
                                                      passwordHash: call.string("password_hash"),
                                                      email: call.optionalString("email"))
                return ["user_id": .string(id.rawValue)]
            },
            "LockAccount": handler { call in
                var until: Instant?
                if let text = call.optionalString("until") {
                    guard let parsed = RFC3339.parse(text) else { throw VarlinkError.invalidParameter("until") }
                    until = parsed
                }
                try m.accounts.lock(username: call.string("username"), reason: call.string("reason"), until: until)
                return [:]
            },
            "UnlockAccount": handler { call in
                try m.accounts.unlock(username: call.string("username"))
                return [:]
            },
            "ResetSecondFactor": handler { call in
                try m.accounts.resetSecondFactor(username: call.string("username"), reason: call.string("reason"))
                return [:]
            },
            "SmsStats": handler { call in
                let hours = call.optionalInt("hours") ?? 1
                guard (1...24 * 31).contains(hours) else { throw VarlinkError.invalidParameter("hours") }
                let since = m.clock.now().adding(seconds: -Double(hours) * 3600)
                return ["since": .string(RFC3339.format(since)),
                        "countries": .array(try m.sms.stats(since: since).map(AdminReplies.smsStats))]
            },
            "RevokeSessions": handler { call in
                ["ended": .int(Int64(try m.accounts.revokeSessions(username: call.string("username"))))]
            },
            "RotateMasterKey": handler { call in
                let result = try m.masterKeys.rotate(credential: call.string("credential"))
                return ["old_key_id": .string(result.oldKeyID), "new_key_id": .string(result.newKeyID),
                        "rewrapped": .int(Int64(result.rewrapped))]
            },
            "RevokeDevices": handler { call in
                ["revoked": .int(Int64(try m.devices.revokeAll(username: call.string("username"))))]
            },
        ]
    }

    static func handler(_ body: @escaping @Sendable (VarlinkCall) async throws -> [String: JSONValue]) -> VarlinkMethodHandler {
        .riegel(interface, body)
    }
}
