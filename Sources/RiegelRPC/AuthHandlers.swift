import RiegelCore
import RiegelService
import Varlink

/// The bound methods of `io.riegel.Auth`.
///
/// Methods the IDL declares but this table leaves out answer
/// the Varlink module's standard not-implemented error until their capability lands.
enum AuthHandlers {
    static let interface = "io.riegel.Auth"

    static func table(_ m: RiegelMethods) -> [String: VarlinkMethodHandler] {
        [
            "Register": handler { call in
                let id = try await m.accounts.register(
                    username: call.string("username"), password: call.string("password"),
                    email: call.optionalString("email"), phone: call.optionalString("phone"), client: call.client)
                return ["user_id": .string(id.rawValue)]
            },
            "Login": handler { call in
                let session = try await m.accounts.login(username: call.string("username"),
                                                         password: call.string("password"), client: call.client)
                return ["session": AuthReplies.newSession(session)]
            },
            "ChangePassword": handler { call in
                try await m.accounts.changePassword(token: call.string("token"), current: call.string("current_password"),
                                                    new: call.string("new_password"))
                return [:]
            },
            "DeleteAccount": handler { call in
                try await m.accounts.deleteAccount(token: call.string("token"), password: call.string("password"))
                return [:]
            },
            // The hot path: in memory, on the event loop, no disk I/O; the reply is
            // written straight into the outgoing buffer (no JSONValue tree).
            "CheckSession": .immediateWriting { call, reply in
                do throws(RiegelError) {
                    let checked = try m.sessions.check(token: call.string("token"), touch: call.optionalBool("touch") ?? true)
                    reply.writeObject("info") { AuthReplies.write(checked.info, to: &$0) }
                } catch {
                    throw ErrorMapping.varlinkError(for: error, in: interface)
                }
            },
            "Logout": handler { call in
                try m.sessions.logout(token: call.string("token"))
                return [:]
            },
            "LogoutOtherSessions": handler { call in
                ["ended": .int(Int64(try m.sessions.logoutOthers(token: call.string("token"))))]
            },
            "ListSessions": handler { call in
                ["sessions": .array(try m.sessions.list(token: call.string("token")).map { AuthReplies.sessionInfo($0.info) })]
            },
            "BeginPasswordReset": handler { call in
                let (token, email) = try await m.accounts.beginPasswordReset(username: call.string("username"),
                                                                              client: call.client)
                var reply: [String: JSONValue] = [:]
                if let token { reply["reset_token"] = .string(token) }
                if let email { reply["email"] = .string(email) }
                return reply
            },
            "CompletePasswordReset": handler { call in
                try await m.accounts.completePasswordReset(token: call.string("reset_token"),
                                                           newPassword: call.string("new_password"))
                return [:]
            },
            "RecoverUsername": handler { call in
                ["usernames": .array(try m.accounts.recoverUsernames(email: call.string("email")).map { .string($0) })]
            },
            "IssueActivationCode": handler { call in
                let (code, expires) = try m.accounts.issueActivationCode(userID: UserID(rawValue: call.string("user_id")),
                                                                         subject: call.string("subject"))
                return ["code": .string(code), "expires_at": .string(RFC3339.format(expires))]
            },
            "RedeemActivationCode": handler { call in
                ["subject": .string(try m.accounts.redeemActivationCode(token: call.string("token"),
                                                                        code: call.string("code")))]
            },
        ]
    }

    static func handler(_ body: @escaping @Sendable (VarlinkCall) async throws -> [String: JSONValue]) -> VarlinkMethodHandler {
        .riegel(interface, body)
    }
}
