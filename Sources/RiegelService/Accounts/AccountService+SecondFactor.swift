import Logging
import RiegelCore

/// What a verified challenge gives its caller (`VerifyChallenge`'s reply).
public struct ChallengeResult: Sendable, Hashable {
    /// A new session (login), or the renewed session (step-up, phone enrolment
    /// from a session); nil for a reset or an enrolment from registration.
    public var session: NewSession?
    /// A trusted-device token, when asked for with `remember_device`.
    public var deviceToken: String?
    /// For `enroll_phone`: what the enrolment did.
    public var phoneEnrolment: PhoneEnrolment?

    /// A result.
    public init(session: NewSession? = nil, deviceToken: String? = nil, phoneEnrolment: PhoneEnrolment? = nil) {
        self.session = session
        self.deviceToken = deviceToken
        self.phoneEnrolment = phoneEnrolment
    }
}

extension AccountService {
    /// Finishes a challenge of any purpose and any factor (see
    /// `docs/flows/sms-challenge.md`, `totp.md`, `recovery-codes.md`).
    ///
    /// - login: opens a `second_factor` session (how = the factor: sms, totp
    ///   or recovery_code).
    /// - enroll_phone: stores the number, turns the second factor on (ending
    ///   the user's other, password-only sessions), and raises and renews the
    ///   session it came from (none from Register).
    ///   A change of number revokes every device and sends a notice to the
    ///   old number; the calling session ends if it came from one of those
    ///   devices. The reply's ``PhoneEnrolment`` says which happened. If the
    ///   session that started the challenge has ended meanwhile (a replayed
    ///   device token, a logout), nothing changes: `ChallengeExpired`.
    /// - step_up: raises the session to `second_factor` now and renews its token.
    /// - password_reset: spends the reset token and sets the new password;
    ///   every session ends.
    public func verifyChallenge(id: String, code: String, rememberDevice: Bool, deviceLabel: String?,
                                client: ClientContext) async throws -> ChallengeResult {
        // A bad label must not cost the code.
        if rememberDevice { try DeviceService.validateLabel(deviceLabel) }
        let challenge = try factors.verify(challenge: ChallengeID(rawValue: id), code: code)
        guard let account = try accounts.account(id: challenge.userID) else { throw RiegelError.challengeExpired }
        if challenge.purpose == .login, let until = account.lockedUntil, until > clock.now() {
            audit.record(.loginFailed, .failure, user: account.id, username: account.username.value,
                         reason: "account_locked", client: client)
            throw RiegelError.accountLocked(until: until)
        }
        // A password change or reset, a lock or a second-factor change since
        // the challenge began ends it (issue 11, item 9).
        if let generation = challenge.credentialGeneration, generation != account.credentialGeneration {
            audit.record(.challengeFailed, .failure, user: account.id, username: account.username.value,
                         reason: "credentials_changed", client: client, details: ["challenge_id": challenge.id.rawValue])
            throw RiegelError.challengeExpired
        }
        if challenge.kind == .recoveryCode { noticeRecoveryCodeUse(challenge, account: account) }
        switch challenge.purpose {
        case .login:
            let trusted = rememberDevice ? try devices.trust(userID: account.id, label: deviceLabel, client: client) : nil
            // Not linked to the new device: this session was proven by the code, so
            // revoking the device later (a replay, say) ends only the sessions its token opened.
            // Re-checked under the write lock against the generation the challenge began with.
            let session = try openSessionIfUnchanged(account, generation: challenge.credentialGeneration, client: client,
                                                     changed: .challengeExpired) {
                let session = try sessions.open(for: account, assurance: .secondFactor,
                                                method: challenge.kind.authenticationMethod, client: client)
                audit.record(.loginSucceeded, .success, user: account.id, username: account.username.value,
                             reason: challenge.kind.rawValue, client: client,
                             details: ["session_id": session.info.sessionID.rawValue])
                return session
            }
            return ChallengeResult(session: session, deviceToken: trusted?.token)
        case .enrollPhone:
            guard let stored = challenge.sms else { throw RiegelError.challengeExpired }
            // A change started from a session dies with that session: a replayed
            // device token ends the sessions the device opened, and with them
            // whatever they started and had not confirmed yet.
            if let sessionID = challenge.sessionID, !sessions.isLive(id: sessionID) {
                audit.record(.secondFactorEnrolmentDropped, .failure, user: account.id,
                             username: account.username.value, reason: "session_ended", client: client,
                             details: ["challenge_id": challenge.id.rawValue, "session_id": sessionID.rawValue])
                throw RiegelError.challengeExpired
            }
            let phone = try sms.phone(of: stored.challenge)
            let oldPhone = try sms.phone(of: account)
            let changed = account.phone != nil
            try accounts.setSecondFactor(id: account.id, phone: try sms.sealForAccount(phone, user: account.id))
            // Devices were trusted on the strength of the old number.
            if changed { try devices.revokeAll(of: account.id, reason: "phone_changed") }
            // Turning it on: sessions opened with the password alone (before
            // the code was verified, or by whoever else knew the password) end;
            // the session this enrolment came from stays and is raised below.
            if !changed {
                try sessions.endAll(of: account.id, keeping: challenge.sessionID, reason: "second_factor_enabled")
            }
            var details = ["phone": AuditPhoneMask.mask(phone.e164)]
            if let oldPhone { details["old_phone"] = AuditPhoneMask.mask(oldPhone.e164) }
            audit.record(changed ? .secondFactorPhoneChanged : .secondFactorEnabled, .success, user: account.id,
                         username: account.username.value, client: client, details: details)
            // The old number hears of it (banking practice): if this was not its holder, they call support.
            // The change has taken effect: a notice that cannot be queued is audited, not thrown,
            // so the reply still says what happened.
            if let oldPhone, oldPhone.e164 != phone.e164 {
                do {
                    try sms.notifyPhoneChanged(oldPhone, user: account.id, username: account.username.value,
                                               challenge: stored.challenge.id, language: stored.language)
                } catch {
                    audit.record(.smsNoticeFailed, .failure, user: account.id, username: account.username.value,
                                 reason: "phone_changed", details: ["challenge_id": challenge.id.rawValue])
                }
            }
            var enrolment = PhoneEnrolment(maskedPhone: phone.masked, replaced: changed, sessionKept: false)
            guard let sessionID = challenge.sessionID, sessions.isLive(id: sessionID) else {
                return ChallengeResult(phoneEnrolment: enrolment)
            }
            let session = try sessions.elevate(id: sessionID, reason: "enroll_phone")
            enrolment.sessionKept = true
            return ChallengeResult(session: session, phoneEnrolment: enrolment)
        case .stepUp:
            guard let sessionID = challenge.sessionID else { throw RiegelError.challengeExpired }
            return ChallengeResult(session: try sessions.elevate(id: sessionID, reason: "step_up",
                                                                 method: challenge.kind.authenticationMethod))
        case .passwordReset:
            guard let reset = challenge.pendingReset else { throw RiegelError.challengeExpired }
            try finishPasswordReset(account, tokenDigest: reset.tokenDigest, passwordHash: reset.passwordHash)
            return ChallengeResult()
        }
    }

    /// Sends a fresh code for a challenge (the previous one stops working).
    /// A challenge of a factor that sends nothing is `ChallengeNotResendable`.
    public func resendChallenge(id: String) async throws -> ChallengeView {
        if try factors.silentChallenge(id: ChallengeID(rawValue: id)) != nil {
            throw RiegelError.challengeNotResendable
        }
        return try await sms.resend(id: id)
    }

    /// Starts enrolling (or changing) the session user's phone number: needs
    /// the current password, and, if a second factor is already on, a
    /// session that proved it by an actual factor — an SMS code to the
    /// current number or an app key — within the last 10 minutes
    /// (``CredentialChangeRule``; `StepUpRequired` otherwise, audited: neither
    /// a stolen password alone nor one with a copied browser token may move
    /// the second factor to another phone).
    public func enrollPhone(token: String, phone rawPhone: String, password: String) async throws -> ChallengeView {
        let (session, account) = try sessionAccount(token)
        if account.secondFactorEnabled {
            try devices.requireCredentialChange(session, username: account.username.value, operation: "enroll_phone",
                                                now: clock.now())
        }
        try await requirePassword(password, of: account)
        let phone = try sms.phoneNumber(rawPhone, user: account.id, username: account.username.value)
        return try await sms.start(.enrollPhone, user: account.id, username: account.username.value, phone: phone,
                                   session: session.id, credentialGeneration: account.credentialGeneration)
    }

    /// Turns the second factor off (every factor goes: phone, apps, recovery
    /// codes): needs the password and a session that
    /// proved the second factor by an SMS code or an app key within the last
    /// 10 minutes (``CredentialChangeRule``; `StepUpRequired` otherwise, a
    /// trusted browser alone does not do). Ends the user's other sessions;
    /// this one stays, lowered to `password`.
    public func disableSecondFactor(token: String, password: String) async throws {
        let (session, account) = try sessionAccount(token)
        guard account.secondFactorEnabled else { throw RiegelError.secondFactorNotEnrolled }
        try devices.requireCredentialChange(session, username: account.username.value, operation: "disable_second_factor",
                                            now: clock.now())
        try await requirePassword(password, of: account)
        try removeEveryFactor(of: account)
        try devices.revokeAll(of: account.id, reason: "second_factor_disabled")
        let ended = try sessions.endAll(of: account.id, keeping: session.id, reason: "second_factor_disabled")
        try sessions.demote(id: session.id)
        audit.record(.secondFactorDisabled, .success, user: account.id, username: account.username.value,
                     details: ["sessions_ended": "\(ended)"])
    }

    /// Starts a `step_up` challenge for the session (`VerifyChallenge` then
    /// raises it) with `factor`, or the account's default one. A user without
    /// a second factor gets `SecondFactorNotEnrolled`; a factor the account
    /// does not have, `NoSuchFactor`.
    public func beginStepUp(token: String, factor: FactorKind? = nil) async throws -> ChallengeView {
        let (session, account) = try sessionAccount(token)
        guard account.secondFactorEnabled, try !factors.kinds(of: account).isEmpty else {
            throw RiegelError.secondFactorNotEnrolled
        }
        return try await startSecondFactorChallenge(FactorChallengeRequest(
            purpose: .stepUp, account: account, session: session.id, credentialGeneration: account.credentialGeneration),
            kind: factor)
    }

    /// An administrator's reset of a user's second factor (lost phone): the
    /// phone, every authenticator app and the recovery codes go, the second factor is off, the wrong-code budget is
    /// cleared, and every session ends.
    public func resetSecondFactor(username rawUsername: String, reason: String) throws {
        let account = try adminLookup(rawUsername)
        try removeEveryFactor(of: account)
        try sms.unlockBudget(of: account.id)
        try devices.revokeAll(of: account.id, reason: "second_factor_reset")
        let ended = try sessions.endAll(of: account.id, reason: "second_factor_reset")
        audit.record(.secondFactorReset, .success, user: account.id, username: account.username.value,
                     reason: "admin", details: ["note": reason, "sessions_ended": "\(ended)"])
    }
}
