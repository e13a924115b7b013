import RiegelCore

extension AccountService {
    // MARK: challenges of any factor

    /// Starts a challenge of `kind` (or the account's default factor) and
    /// lists the kinds the user may switch to (`BeginChallenge`).
    /// - Throws: `NoSuchFactor` for a kind the account does not have;
    ///   `SmsUnavailable` when the second factor is on but no factor is left
    ///   to answer with (as before, for an account whose phone could not be read).
    func startSecondFactorChallenge(_ request: FactorChallengeRequest, kind: FactorKind? = nil) async throws
        -> ChallengeView {
        let kinds = try factors.kinds(of: request.account)
        guard let chosen = kind ?? kinds.first else { throw RiegelError.smsUnavailable }
        guard kinds.contains(chosen) else { throw RiegelError.noSuchFactor }
        var view = try await factors.method(chosen).challenge(request)
        view.factors = kinds
        return view
    }

    /// Answers a pending challenge with another factor: a new challenge of
    /// `kind` for the same purpose (login, step-up, reset) replaces nothing;
    /// the first stays valid until it expires, and whichever is answered
    /// first does what the purpose says.
    /// - Throws: `ChallengeExpired` if `id` is not a pending challenge;
    ///   `NoSuchFactor` for an enrolment challenge or a kind the account lacks.
    public func beginChallenge(id rawID: String, kind: FactorKind, client: ClientContext) async throws -> ChallengeView {
        let id = ChallengeID(rawValue: rawID)
        let now = clock.now()
        let request: FactorChallengeRequest
        if let silent = try factors.silentChallenge(id: id) {
            guard silent.state(at: now) == .pending, let account = try accounts.account(id: silent.userID) else {
                throw RiegelError.challengeExpired
            }
            request = FactorChallengeRequest(purpose: silent.purpose, account: account, session: silent.sessionID,
                                             language: silent.language ?? client.language,
                                             pendingReset: silent.pendingReset,
                                             credentialGeneration: silent.credentialGeneration)
        } else if let stored = try sms.stored(id: id) {
            guard stored.challenge.state(at: now) == .pending,
                  let account = try accounts.account(id: stored.challenge.userID) else {
                throw RiegelError.challengeExpired
            }
            request = FactorChallengeRequest(purpose: stored.challenge.purpose, account: account,
                                             session: stored.challenge.sessionID,
                                             language: stored.language ?? client.language,
                                             pendingReset: stored.pendingReset,
                                             credentialGeneration: stored.credentialGeneration)
        } else {
            throw RiegelError.challengeExpired
        }
        guard request.purpose != .enrollPhone else { throw RiegelError.noSuchFactor }
        if let generation = request.credentialGeneration, generation != request.account.credentialGeneration {
            throw RiegelError.challengeExpired
        }
        if let session = request.session, !sessions.isLive(id: session) { throw RiegelError.challengeExpired }
        let view = try await startSecondFactorChallenge(request, kind: kind)
        audit.record(.challengeSwitched, .success, user: request.account.id, username: request.account.username.value,
                     reason: kind.rawValue, client: client,
                     details: ["challenge_id": view.id.rawValue, "from_challenge_id": id.rawValue])
        return view
    }

    /// Removes challenges of factors that send nothing once they are over
    /// (the session sweeper calls it); returns how many.
    @discardableResult
    public func purgeFactorChallenges() throws -> Int {
        try factors.challenges?.store.purgeChallenges(now: clock.now()) ?? 0
    }

    // MARK: the user's factors

    /// The session user's factors: kind, label, times; never a secret.
    public func listFactors(token: String) throws -> [FactorInfo] {
        let (_, account) = try sessionAccount(token)
        return try factors.factors(of: account)
    }

    /// Starts enrolling a factor of `kind` (`totp` or `recovery_code`; the
    /// phone goes through `EnrollPhone`). Needs the password always (a
    /// recovery code alone never mints a new factor) and, with a second
    /// factor already on, a session that proved an actual factor within 10
    /// minutes (``CredentialChangeRule``). Recovery codes need a second factor
    /// to back up (`SecondFactorNotEnrolled`); a new set replaces the old.
    public func enrollFactor(token: String, password: String, kind: FactorKind, label: String?) async throws
        -> FactorEnrolment {
        let (session, account) = try sessionAccount(token)
        guard kind != .sms else { throw RiegelError.noSuchFactor }
        if kind == .recoveryCode, !account.secondFactorEnabled { throw RiegelError.secondFactorNotEnrolled }
        if account.secondFactorEnabled {
            try devices.requireCredentialChange(session, username: account.username.value,
                                                operation: "enroll_" + kind.rawValue, now: clock.now())
        }
        try await requirePassword(password, of: account)
        let enrolment = try await factors.method(kind).enrol(FactorEnrolmentRequest(account: account, session: session.id,
                                                                                    label: label))
        audit.record(kind == .recoveryCode ? .recoveryCodesGenerated : .factorEnrolmentStarted, .success,
                     user: account.id, username: account.username.value,
                     details: ["factor": kind.rawValue, "factor_id": enrolment.factorID.rawValue])
        return enrolment
    }

    /// Finishes a pending enrolment (TOTP) with its first code. Turning the
    /// second factor on this way ends the user's other, password-only
    /// sessions, as a phone's enrolment does; the calling session is raised to
    /// `second_factor` (method `totp`) and renewed: the reply carries its new token.
    public func confirmFactor(token: String, factorID: String, code: String) throws -> NewSession {
        let (session, account) = try sessionAccount(token)
        let id = FactorID(rawValue: factorID)
        guard let kind = try factorKind(ofPending: id, account: account) else { throw RiegelError.noSuchFactor }
        let info = try factors.method(kind).confirm(account, factor: id, code: code)
        let wasOn = account.secondFactorEnabled
        try accounts.setSecondFactorEnabled(id: account.id, true)
        if !wasOn {
            try sessions.endAll(of: account.id, keeping: session.id, reason: "second_factor_enabled")
        }
        audit.record(wasOn ? .factorEnrolled : .secondFactorEnabled, .success, user: account.id,
                     username: account.username.value,
                     details: ["factor": kind.rawValue, "factor_id": id.rawValue, "label": info.label])
        return try sessions.elevate(id: session.id, reason: "enroll_" + kind.rawValue, method: kind.authenticationMethod)
    }

    /// Removes one of the session user's factors (password and a fresh actual
    /// factor needed, as for `DisableSecondFactor`). Removing the last phone
    /// or app turns the second factor off: the recovery codes go too, every
    /// trusted device is revoked, the user's other sessions end and this one
    /// is lowered to `password`.
    public func removeFactor(token: String, factorID: String, password: String) async throws {
        let (session, account) = try sessionAccount(token)
        let id = FactorID(rawValue: factorID)
        guard let kind = try factors.kind(of: id, account: account) else { throw RiegelError.noSuchFactor }
        try devices.requireCredentialChange(session, username: account.username.value, operation: "remove_factor",
                                            now: clock.now())
        try await requirePassword(password, of: account)
        let primaryLeft = try factors.factors(of: account).contains { $0.kind.isPrimary && $0.id != id }
        if primaryLeft {
            // Still on, but what a login proves changed: pending challenges end.
            // One transaction: removing the phone turns the flag off, and no
            // login may see the account between that and turning it on again.
            try transactions.inTransaction {
                try factors.method(kind).remove(id, of: account)
                try accounts.setSecondFactorEnabled(id: account.id, true)
            }
            audit.record(.factorRemoved, .success, user: account.id, username: account.username.value,
                         details: ["factor": kind.rawValue, "factor_id": id.rawValue])
            return
        }
        try removeEveryFactor(of: account)
        try devices.revokeAll(of: account.id, reason: "second_factor_disabled")
        let ended = try sessions.endAll(of: account.id, keeping: session.id, reason: "second_factor_disabled")
        try sessions.demote(id: session.id)
        audit.record(.secondFactorDisabled, .success, user: account.id, username: account.username.value,
                     reason: "last_factor_removed",
                     details: ["factor": kind.rawValue, "factor_id": id.rawValue, "sessions_ended": "\(ended)"])
    }

    /// Removes every factor of the account (phone, apps, recovery codes) and
    /// turns the second factor off, in one transaction.
    func removeEveryFactor(of account: AccountRecord) throws {
        try transactions.inTransaction {
            try accounts.setSecondFactor(id: account.id, phone: nil)
            for kind in [FactorKind.totp, .recoveryCode] { try factors.methods[kind]?.removeAll(of: account) }
        }
    }

    /// Tells the phone on file, if any, that a recovery code was used. The
    /// code is spent either way: a notice that cannot be queued is audited
    /// (`sms.notice_failed`), not thrown.
    func noticeRecoveryCodeUse(_ challenge: VerifiedChallenge, account: AccountRecord) {
        do {
            guard let phone = try sms.phone(of: account) else { return }
            try sms.notifyRecoveryCodeUsed(phone, user: account.id, username: account.username.value,
                                           challenge: challenge.id, purpose: challenge.purpose,
                                           language: challenge.language)
        } catch {
            audit.record(.smsNoticeFailed, .failure, user: account.id, username: account.username.value,
                         reason: "recovery_code_used", details: ["challenge_id": challenge.id.rawValue])
        }
    }

    /// The kind of the account's factor `id` that waits for its first code.
    private func factorKind(ofPending id: FactorID, account: AccountRecord) throws -> FactorKind? {
        guard let store = factors.challenges?.store, let factor = try store.factor(id: id), factor.userID == account.id
        else { return nil }
        return factor.kind
    }
}
