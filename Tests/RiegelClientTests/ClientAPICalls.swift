@testable import RiegelClient

// Written from the IDL once; keep it by hand (ClientAPITests fails while a
// declared method has no entry here).

/// Every public method of the client, called with every argument (strings
/// are the field's own name, as `IDLSample` makes them) and with only the
/// required ones; each returns what it got back, to be checked against the IDL.
enum ClientAPICalls {
    typealias Call = @Sendable (RiegelClient) async throws -> Any

    /// By qualified method: (every argument, only the required ones).
    static let calls: [String: (full: Call, required: Call)] = [
        "io.riegel.Auth.Register": (
            { try await $0.auth.register(username: "username", password: "password", email: "email", phone: "phone", client: ClientInfo(ip: "ip", userAgent: "user_agent", language: "language")) },
            { try await $0.auth.register(username: "username", password: "password") }
        ),
        "io.riegel.Auth.ChangePassword": (
            { try await $0.auth.changePassword(token: "token", currentPassword: "current_password", newPassword: "new_password") },
            { try await $0.auth.changePassword(token: "token", currentPassword: "current_password", newPassword: "new_password") }
        ),
        "io.riegel.Auth.DeleteAccount": (
            { try await $0.auth.deleteAccount(token: "token", password: "password") },
            { try await $0.auth.deleteAccount(token: "token", password: "password") }
        ),
        "io.riegel.Auth.Login": (
            { try await $0.auth.login(username: "username", password: "password", deviceToken: "device_token", client: ClientInfo(ip: "ip", userAgent: "user_agent", language: "language")) },
            { try await $0.auth.login(username: "username", password: "password") }
        ),
        "io.riegel.Auth.VerifyChallenge": (
            { try await $0.auth.verifyChallenge(challengeId: "challenge_id", code: "code", rememberDevice: true, deviceLabel: "device_label", client: ClientInfo(ip: "ip", userAgent: "user_agent", language: "language")) },
            { try await $0.auth.verifyChallenge(challengeId: "challenge_id", code: "code") }
        ),
        "io.riegel.Auth.ResendChallenge": (
            { try await $0.auth.resendChallenge(challengeId: "challenge_id") },
            { try await $0.auth.resendChallenge(challengeId: "challenge_id") }
        ),
        "io.riegel.Auth.CheckSession": (
            { try await $0.auth.checkSession(token: "token", touch: true) },
            { try await $0.auth.checkSession(token: "token") }
        ),
        "io.riegel.Auth.Logout": (
            { try await $0.auth.logout(token: "token") },
            { try await $0.auth.logout(token: "token") }
        ),
        "io.riegel.Auth.LogoutOtherSessions": (
            { try await $0.auth.logoutOtherSessions(token: "token") },
            { try await $0.auth.logoutOtherSessions(token: "token") }
        ),
        "io.riegel.Auth.ListSessions": (
            { try await $0.auth.listSessions(token: "token") },
            { try await $0.auth.listSessions(token: "token") }
        ),
        "io.riegel.Auth.EnrollPhone": (
            { try await $0.auth.enrollPhone(token: "token", phone: "phone", password: "password") },
            { try await $0.auth.enrollPhone(token: "token", phone: "phone", password: "password") }
        ),
        "io.riegel.Auth.DisableSecondFactor": (
            { try await $0.auth.disableSecondFactor(token: "token", password: "password") },
            { try await $0.auth.disableSecondFactor(token: "token", password: "password") }
        ),
        "io.riegel.Auth.ListFactors": (
            { try await $0.auth.listFactors(token: "token") },
            { try await $0.auth.listFactors(token: "token") }
        ),
        "io.riegel.Auth.EnrollFactor": (
            { try await $0.auth.enrollFactor(token: "token", password: "password", kind: FactorKind(rawValue: "sms"), label: "label") },
            { try await $0.auth.enrollFactor(token: "token", password: "password", kind: FactorKind(rawValue: "sms")) }
        ),
        "io.riegel.Auth.ConfirmFactor": (
            { try await $0.auth.confirmFactor(token: "token", factorId: "factor_id", code: "code") },
            { try await $0.auth.confirmFactor(token: "token", factorId: "factor_id", code: "code") }
        ),
        "io.riegel.Auth.RemoveFactor": (
            { try await $0.auth.removeFactor(token: "token", factorId: "factor_id", password: "password") },
            { try await $0.auth.removeFactor(token: "token", factorId: "factor_id", password: "password") }
        ),
        "io.riegel.Auth.BeginChallenge": (
            { try await $0.auth.beginChallenge(challengeId: "challenge_id", factor: FactorKind(rawValue: "sms"), client: ClientInfo(ip: "ip", userAgent: "user_agent", language: "language")) },
            { try await $0.auth.beginChallenge(challengeId: "challenge_id", factor: FactorKind(rawValue: "sms")) }
        ),
        "io.riegel.Auth.AuthorizeAccess": (
            { try await $0.auth.authorizeAccess(token: "token", resourceClass: "resource_class", resourceId: "resource_id", client: ClientInfo(ip: "ip", userAgent: "user_agent", language: "language")) },
            { try await $0.auth.authorizeAccess(token: "token", resourceClass: "resource_class") }
        ),
        "io.riegel.Auth.BeginStepUp": (
            { try await $0.auth.beginStepUp(token: "token", factor: FactorKind(rawValue: "sms")) },
            { try await $0.auth.beginStepUp(token: "token") }
        ),
        "io.riegel.Auth.ListDevices": (
            { try await $0.auth.listDevices(token: "token") },
            { try await $0.auth.listDevices(token: "token") }
        ),
        "io.riegel.Auth.RevokeDevice": (
            { try await $0.auth.revokeDevice(token: "token", deviceId: "device_id") },
            { try await $0.auth.revokeDevice(token: "token", deviceId: "device_id") }
        ),
        "io.riegel.Auth.EnrollDeviceKey": (
            { try await $0.auth.enrollDeviceKey(token: "token", publicKey: "public_key", label: "label") },
            { try await $0.auth.enrollDeviceKey(token: "token", publicKey: "public_key", label: "label") }
        ),
        "io.riegel.Auth.BeginDeviceLogin": (
            { try await $0.auth.beginDeviceLogin(deviceId: "device_id") },
            { try await $0.auth.beginDeviceLogin(deviceId: "device_id") }
        ),
        "io.riegel.Auth.FinishDeviceLogin": (
            { try await $0.auth.finishDeviceLogin(deviceId: "device_id", nonce: "nonce", signature: "signature", client: ClientInfo(ip: "ip", userAgent: "user_agent", language: "language")) },
            { try await $0.auth.finishDeviceLogin(deviceId: "device_id", nonce: "nonce", signature: "signature") }
        ),
        "io.riegel.Auth.BeginPasswordReset": (
            { try await $0.auth.beginPasswordReset(username: "username", client: ClientInfo(ip: "ip", userAgent: "user_agent", language: "language")) },
            { try await $0.auth.beginPasswordReset(username: "username") }
        ),
        "io.riegel.Auth.CompletePasswordReset": (
            { try await $0.auth.completePasswordReset(resetToken: "reset_token", newPassword: "new_password") },
            { try await $0.auth.completePasswordReset(resetToken: "reset_token", newPassword: "new_password") }
        ),
        "io.riegel.Auth.RecoverUsername": (
            { try await $0.auth.recoverUsername(email: "email") },
            { try await $0.auth.recoverUsername(email: "email") }
        ),
        "io.riegel.Auth.IssueActivationCode": (
            { try await $0.auth.issueActivationCode(userId: "user_id", subject: "subject") },
            { try await $0.auth.issueActivationCode(userId: "user_id", subject: "subject") }
        ),
        "io.riegel.Auth.RedeemActivationCode": (
            { try await $0.auth.redeemActivationCode(token: "token", code: "code") },
            { try await $0.auth.redeemActivationCode(token: "token", code: "code") }
        ),
        "io.riegel.Admin.RotateKey": (
            { try await $0.admin.rotateKey(purpose: KeyPurpose(rawValue: "password")) },
            { try await $0.admin.rotateKey(purpose: KeyPurpose(rawValue: "password")) }
        ),
        "io.riegel.Admin.ListKeys": (
            { try await $0.admin.listKeys() },
            { try await $0.admin.listKeys() }
        ),
        "io.riegel.Admin.RetireKey": (
            { try await $0.admin.retireKey(keyId: "key_id") },
            { try await $0.admin.retireKey(keyId: "key_id") }
        ),
        "io.riegel.Admin.RotateMasterKey": (
            { try await $0.admin.rotateMasterKey(credential: "credential") },
            { try await $0.admin.rotateMasterKey(credential: "credential") }
        ),
        "io.riegel.Admin.Backup": (
            { try await collect($0.admin.backup()) },
            { try await collect($0.admin.backup()) }
        ),
        "io.riegel.Admin.GetAccount": (
            { try await $0.admin.getAccount(username: "username") },
            { try await $0.admin.getAccount(username: "username") }
        ),
        "io.riegel.Admin.ListAccounts": (
            { try await $0.admin.listAccounts(locked: true, secondFactor: true, createdSince: "created_since", lastLoginSince: "last_login_since", limit: 5, after: "after") },
            { try await $0.admin.listAccounts() }
        ),
        "io.riegel.Admin.ImportAccount": (
            { try await $0.admin.importAccount(username: "username", passwordHash: "password_hash", email: "email") },
            { try await $0.admin.importAccount(username: "username", passwordHash: "password_hash") }
        ),
        "io.riegel.Admin.LockAccount": (
            { try await $0.admin.lockAccount(username: "username", reason: "reason", until: "until") },
            { try await $0.admin.lockAccount(username: "username", reason: "reason") }
        ),
        "io.riegel.Admin.UnlockAccount": (
            { try await $0.admin.unlockAccount(username: "username") },
            { try await $0.admin.unlockAccount(username: "username") }
        ),
        "io.riegel.Admin.ResetSecondFactor": (
            { try await $0.admin.resetSecondFactor(username: "username", reason: "reason") },
            { try await $0.admin.resetSecondFactor(username: "username", reason: "reason") }
        ),
        "io.riegel.Admin.RevokeSessions": (
            { try await $0.admin.revokeSessions(username: "username") },
            { try await $0.admin.revokeSessions(username: "username") }
        ),
        "io.riegel.Admin.RevokeDevices": (
            { try await $0.admin.revokeDevices(username: "username") },
            { try await $0.admin.revokeDevices(username: "username") }
        ),
        "io.riegel.Admin.Status": (
            { try await $0.admin.status() },
            { try await $0.admin.status() }
        ),
        "io.riegel.Admin.Stats": (
            { try await $0.admin.stats() },
            { try await $0.admin.stats() }
        ),
        "io.riegel.Admin.SmsStats": (
            { try await $0.admin.smsStats(hours: 5) },
            { try await $0.admin.smsStats() }
        ),
        "io.riegel.Audit.Query": (
            { try await collect($0.audit.query(filter: Filter(user: "user", types: ["types"], outcome: Event.Outcome(rawValue: "success"), since: "since", until: "until", clientIp: "client_ip"), limit: 5, follow: true)) },
            { try await collect($0.audit.query()) }
        ),
        "io.riegel.Audit.Verify": (
            { try await $0.audit.verify() },
            { try await $0.audit.verify() }
        ),
        "io.riegel.Audit.Export": (
            { try await collect($0.audit.export(since: "since", until: "until")) },
            { try await collect($0.audit.export()) }
        ),
        "io.riegel.Audit.PublicKeys": (
            { try await $0.audit.publicKeys() },
            { try await $0.audit.publicKeys() }
        ),
    ]

    /// Every reply of a stream.
    static func collect<Reply>(_ stream: AsyncThrowingStream<Reply, any Error>) async throws -> [Reply] {
        var replies: [Reply] = []
        for try await reply in stream { replies.append(reply) }
        return replies
    }
}
