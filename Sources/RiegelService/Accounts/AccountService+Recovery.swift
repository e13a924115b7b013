import Logging
import RiegelCore

extension AccountService {
    /// A reset token for the portal to mail, with the address to mail it to.
    ///
    /// - Important: an unknown username gives the same shape (no token, no
    ///   e-mail) no sooner than a known one: every answer waits until
    ///   `resetMinimumResponse` has passed since the call began.
    public func beginPasswordReset(username rawUsername: String, client: ClientContext) async throws
        -> (token: String?, email: String?) {
        let started = ContinuousClock.now
        var result: (token: String?, email: String?) = (nil, nil)
        if let username = try? Username(rawUsername), let account = try accounts.account(usernameKey: username.canonicalKey) {
            let token = tokens.newToken()
            let now = clock.now()
            try resetTokens.create(digest: tokenDigester.digest(ofToken: token), userID: account.id, createdAt: now,
                                   expiresAt: now.adding(seconds: policy.resetTokenLifetime))
            result = (token, try email(of: account)?.address)
            audit.record(.passwordResetRequested, .success, user: account.id, username: account.username.value,
                         client: client)
        }
        let floor = started.advanced(by: .milliseconds(Int64(policy.resetMinimumResponse * 1000)))
        try? await Task.sleep(until: floor, clock: .continuous)
        return result
    }

    /// Sets a new password with a reset token: the token is spent, every
    /// session, reset token and pending challenge of the user ends.
    ///
    /// With the second factor on, the new password waits (hashed and sealed)
    /// beside a challenge of purpose `password_reset` (of the account's
    /// default factor), which is returned;
    /// the reset completes, and the token is spent, only when
    /// ``verifyChallenge(id:code:rememberDevice:deviceLabel:client:)`` succeeds.
    ///
    /// A used, expired or unknown token is `InvalidToken`; a weak password is
    /// `WeakPassword` and leaves the token usable.
    public func completePasswordReset(token: String, newPassword: String) async throws -> ChallengeView? {
        let digest = tokenDigester.digest(ofToken: token)
        guard let userID = try resetTokens.user(forDigest: digest, now: clock.now()),
              let account = try accounts.account(id: userID) else {
            throw RiegelError.invalidToken
        }
        let weak = policy.passwords.violations(of: newPassword, username: account.username, email: try email(of: account))
        if !weak.isEmpty { throw RiegelError.weakPassword(reasons: weak.map(\.name)) }
        let sealed = try await sealedHash(of: newPassword, for: account.id)
        if account.secondFactorEnabled {
            let challenge = try await startSecondFactorChallenge(FactorChallengeRequest(
                purpose: .passwordReset, account: account,
                pendingReset: PendingPasswordReset(tokenDigest: digest, passwordHash: sealed),
                credentialGeneration: account.credentialGeneration))
            audit.record(.passwordResetChallenged, .success, user: account.id, username: account.username.value,
                         details: ["challenge_id": challenge.id.rawValue])
            return challenge
        }
        try finishPasswordReset(account, tokenDigest: digest, passwordHash: sealed)
        return nil
    }

    /// Spends the reset token, sets the new password, ends every session,
    /// reset token and pending challenge of the user.
    func finishPasswordReset(_ account: AccountRecord, tokenDigest: [UInt8], passwordHash: SealedSecret) throws {
        guard try resetTokens.consume(digest: tokenDigest, now: clock.now()) == account.id else {
            throw RiegelError.invalidToken
        }
        try accounts.updatePasswordHash(id: account.id, passwordHash)
        try devices.revokeAll(of: account.id, reason: "password_reset")
        let ended = try sessions.endAll(of: account.id, reason: "password_reset")
        try resetTokens.removeAll(for: account.id)
        // Challenges begun with the old password (a login, say) end too (issue 11, item 9).
        try sms.endPending(of: account.id, reason: "password_reset")
        audit.record(.passwordReset, .success, user: account.id, username: account.username.value,
                     details: ["sessions_ended": "\(ended)"])
    }

    /// The usernames registered with this e-mail address (found through the
    /// blind index; the address itself is stored encrypted). An address that
    /// is not one matches nothing.
    public func recoverUsernames(email rawEmail: String) throws -> [String] {
        guard let email = try? EmailAddress(rawEmail) else { return [] }
        let indexes = keyedDigester.allDigests(Array(email.lookupKey.utf8), purpose: .pii)
        return try accounts.accounts(emailIndexes: indexes).map(\.username.value).sorted()
    }
}
