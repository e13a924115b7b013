import RiegelCore
import RiegelService
import Varlink

/// The account, status and backup methods of `io.riegel.Admin`: one part of
/// its method table (``AdminKeyHandlers`` binds the key methods).
enum AdminHandlers {
    static let interface = "io.riegel.Admin"

    static func table(_ m: RiegelMethods) -> [String: VarlinkMethodHandler] {
        [
            "Status": .immediate { _ in AdminReplies.status(m.status()) },
            "Stats": handler { _ in AdminReplies.stats(try m.stats.current()) },
            "GetAccount": handler { call in
                let summary = try m.accounts.summary(username: call.string("username"))
                return ["account": AdminReplies.account(summary, devices: try m.devices.liveCount(of: summary.userID))]
            },
            "ListAccounts": handler { call in
                let page = try await m.accounts.listAccounts(try listFilter(call), limit: try listLimit(call),
                                                             after: call.optionalString("after"))
                var reply: [String: JSONValue] = [
                    "accounts": .array(page.entries.map { AdminReplies.account($0.summary, devices: $0.devices) }),
                ]
                if let next = page.next { reply["next"] = .string(next) }
                return reply
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
            "Backup": AdminBackupHandler.handler(m.backups),
        ]
    }

    /// The filter of a `ListAccounts` call; an unreadable time is `InvalidFilter`.
    static func listFilter(_ call: VarlinkCall) throws -> AccountListFilter {
        func time(_ key: String) throws -> Instant? {
            guard let text = call.optionalString(key) else { return nil }
            guard let t = RFC3339.parse(text) else {
                throw RiegelError.invalidFilter(reason: "\(key) is not an RFC 3339 time, e.g. 2026-11-25T08:00:00Z")
            }
            return t
        }
        return AccountListFilter(locked: call.optionalBool("locked"), secondFactor: call.optionalBool("second_factor"),
                                 createdSince: try time("created_since"), lastLoginSince: try time("last_login_since"))
    }

    /// The `limit` of a `ListAccounts` call (nil if absent); one beyond `Int` is `InvalidFilter`.
    static func listLimit(_ call: VarlinkCall) throws -> Int? {
        guard let value = call.parameters["limit"], value != .null else { return nil }
        guard let limit = call.optionalInt("limit") else {
            throw RiegelError.invalidFilter(reason: "limit must be between 1 and \(AccountService.maxListLimit)")
        }
        return limit
    }

    static func handler(_ body: @escaping @Sendable (VarlinkCall) async throws -> [String: JSONValue]) -> VarlinkMethodHandler {
        .riegel(interface, body)
    }
}
