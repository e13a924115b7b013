import RiegelCore
import RiegelService
import Varlink

/// The account, session and factor methods of `io.riegel.Auth`: one part
/// of its method table (``RiegelIDL/interfaces`` lists the others).
enum AuthHandlers {
    static let interface = "io.riegel.Auth"

    static func table(_ m: RiegelMethods) -> [String: VarlinkMethodHandler] {
        [
            "Register": handler { call in
                let (id, challenge) = try await m.accounts.register(
                    username: call.string("username"), password: call.string("password"),
                    email: call.optionalString("email"), phone: call.optionalString("phone"), client: call.client)
                var reply: [String: JSONValue] = ["user_id": .string(id.rawValue)]
                if let challenge { reply["challenge"] = AuthReplies.challenge(challenge) }
                return reply
            },
            "Login": handler { call in
                switch try await m.accounts.login(username: call.string("username"), password: call.string("password"),
                                                  deviceToken: call.optionalString("device_token"), client: call.client) {
                case .session(let session, let deviceToken):
                    var reply = ["session": AuthReplies.newSession(session)]
                    if let deviceToken { reply["device_token"] = .string(deviceToken) }
                    return reply
                case .challenge(let challenge): return ["challenge": AuthReplies.challenge(challenge)]
                }
            },
            "VerifyChallenge": handler { call in
                let result = try await m.accounts.verifyChallenge(
                    id: call.string("challenge_id"), code: call.string("code"),
                    rememberDevice: call.optionalBool("remember_device") ?? false,
                    deviceLabel: call.optionalString("device_label"), client: call.client)
                var reply: [String: JSONValue] = [:]
                if let session = result.session { reply["session"] = AuthReplies.newSession(session) }
                if let token = result.deviceToken { reply["device_token"] = .string(token) }
                if let enrolment = result.phoneEnrolment { reply["phone_enrolment"] = AuthReplies.phoneEnrolment(enrolment) }
                return reply
            },
            "ResendChallenge": handler { call in
                ["challenge": AuthReplies.challenge(try await m.accounts.resendChallenge(id: call.string("challenge_id")))]
            },
            "EnrollPhone": handler { call in
                ["challenge": AuthReplies.challenge(try await m.accounts.enrollPhone(
                    token: call.string("token"), phone: call.string("phone"), password: call.string("password")))]
            },
            "DisableSecondFactor": handler { call in
                try await m.accounts.disableSecondFactor(token: call.string("token"), password: call.string("password"))
                return [:]
            },
            "BeginStepUp": handler { call in
                ["challenge": AuthReplies.challenge(try await m.accounts.beginStepUp(
                    token: call.string("token"), factor: try call.optionalString("factor").map(factorKind)))]
            },
            "BeginChallenge": handler { call in
                ["challenge": AuthReplies.challenge(try await m.accounts.beginChallenge(
                    id: call.string("challenge_id"), kind: try factorKind(call.string("factor")), client: call.client))]
            },
            "ListFactors": handler { call in
                ["factors": .array(try m.accounts.listFactors(token: call.string("token")).map(AuthReplies.factor))]
            },
            "EnrollFactor": handler { call in
                AuthReplies.enrolment(try await m.accounts.enrollFactor(
                    token: call.string("token"), password: call.string("password"),
                    kind: try factorKind(call.string("kind")), label: call.optionalString("label")))
            },
            "ConfirmFactor": handler { call in
                ["session": AuthReplies.newSession(try m.accounts.confirmFactor(
                    token: call.string("token"), factorID: call.string("factor_id"), code: call.string("code")))]
            },
            "RemoveFactor": handler { call in
                try await m.accounts.removeFactor(token: call.string("token"), factorID: call.string("factor_id"),
                                                  password: call.string("password"))
                return [:]
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
            // The hot path: in memory, on the event loop; the reply is written
            // straight into the outgoing buffer (no JSONValue tree). No disk I/O
            // here: in the seconds after start while the session table loads (a
            // token it does not hold yet), and on a shared store (PostgreSQL)
            // for a miss, a session idle in memory, or any token while the
            // change feed is behind, the store is read in a task
            // (VarlinkContinueInTask), never on this event loop.
            "CheckSession": .immediateWriting { call, reply in
                let token = call.string("token")
                let touch = call.optionalBool("touch") ?? true
                let loaded: SessionService.Checked?
                do throws(RiegelError) {
                    loaded = try m.sessions.checkLoaded(token: token, touch: touch)
                } catch {
                    m.metrics.sessionCheck(RiegelMetrics.sessionCheckOutcome(of: error))
                    throw ErrorMapping.varlinkError(for: error, in: interface)
                }
                guard let checked = loaded else {
                    throw VarlinkContinueInTask {
                        do throws(RiegelError) {
                            let checked = try m.sessions.check(token: token, touch: touch)
                            m.metrics.sessionCheck(.valid)
                            return ["info": AuthReplies.sessionInfo(checked.info)]
                        } catch {
                            m.metrics.sessionCheck(RiegelMetrics.sessionCheckOutcome(of: error))
                            throw ErrorMapping.varlinkError(for: error, in: interface)
                        }
                    }
                }
                m.metrics.sessionCheck(.valid)
                reply.writeObject("info") { AuthReplies.write(checked.info, to: &$0) }
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
                let challenge = try await m.accounts.completePasswordReset(token: call.string("reset_token"),
                                                                           newPassword: call.string("new_password"))
                return challenge.map { ["challenge": AuthReplies.challenge($0)] } ?? [:]
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

    /// A `FactorKind` parameter (the IDL validated it as one of the enum's values).
    static func factorKind(_ raw: String) throws -> FactorKind {
        guard let kind = FactorKind(rawValue: raw) else { throw RiegelError.noSuchFactor }
        return kind
    }

    static func handler(_ body: @escaping @Sendable (VarlinkCall) async throws -> [String: JSONValue]) -> VarlinkMethodHandler {
        .riegel(interface, body)
    }
}
