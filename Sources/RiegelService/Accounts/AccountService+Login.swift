import Logging
import RiegelCore

extension AccountService {
    /// Password login: a session, or for an account with the second factor on,
    /// a challenge of its default factor (an app if enrolled, else SMS) that ``verifyChallenge(id:code:rememberDevice:deviceLabel:client:)`` finishes.
    ///
    /// - Important: security rules 1 and 4. An unknown username and a wrong
    ///   password give the same `InvalidCredentials` after the same work (an
    ///   unknown name is verified against a sampled stored hash, see
    ///   ``DecoyHashPool``, or the dummy hash); failures back off per
    ///   account key (kept for unknown names too, so a delay tells nothing)
    ///   and per client IP; the answer to a locked account comes only after
    ///   the right password.
    public func login(username rawUsername: String, password: String, deviceToken: String? = nil,
                      client: ClientContext) async throws -> LoginOutcome {
        do {
            let outcome = try await passwordLogin(username: rawUsername, password: password, deviceToken: deviceToken,
                                                  client: client)
            if case .challenge = outcome { metrics.login(.challengeRequired) } else { metrics.login(.success) }
            return outcome
        } catch {
            metrics.login(RiegelMetrics.loginOutcome(of: error))
            throw error
        }
    }

    /// ``login(username:password:deviceToken:client:)`` without the counting.
    private func passwordLogin(username rawUsername: String, password: String, deviceToken: String?,
                               client: ClientContext) async throws -> LoginOutcome {
        // A full pool answers Overloaded before any database or crypto work:
        // the answer says nothing about the account, and a flood of refused
        // calls then costs almost nothing (BENCHMARKS.md, login flood).
        if hashing.isSaturated {
            hashing.countRefusal()
            throw RiegelError.overloaded(retryAfterSeconds: hashing.configuration.retryAfterSeconds)
        }
        let now = clock.now()
        let username = try? Username(rawUsername)
        let accountKey = accountThrottleKey(username?.canonicalKey ?? "?" + String(rawUsername.lowercased().prefix(64)))
        let clientKey = client.ip.map { "ip:" + $0 }
        // Checked and counted as a failure in one step, before the hash: N
        // guesses in flight are N failures (docs/flows/login-throttle.md).
        // The account is read in the same transaction: one connection and
        // commit for both on PostgreSQL, and a failed read leaves nothing counted.
        let ticket: ThrottleGate.Ticket
        let account: AccountRecord?
        let admission = try transactions.inTransaction { () throws -> (ThrottleGate.Admission, AccountRecord?) in
            let admission = try gate.reserve(key: accountKey, clientKey: clientKey, now: now)
            guard case .admitted = admission else { return (admission, nil) }
            return (admission, try username.flatMap { try accounts.account(usernameKey: $0.canonicalKey) })
        }
        switch admission.0 {
        case .refused(let decision):
            audit.record(.loginFailed, .failure, username: username?.value, reason: "throttled", client: client)
            try refuseIfThrottled(decision)
            throw RiegelError.tooManyAttempts(retryAfterSeconds: 1)
        case .admitted(let admitted):
            ticket = admitted
            account = admission.1
        }

        let phc: String?
        do {
            // The same steps for an unknown user (a decoy or the dummy hash), no
            // sooner than the verification floor (AccountService+PasswordCheck).
            phc = try await checkLoginPassword(password, of: account, unknownName: accountKey)
        } catch {
            // No verdict (a full pool, say): the attempt does not count.
            try? gate.refund(ticket)
            throw error
        }

        guard let account, let phc else {
            // Already counted by the reservation.
            let events = ticket.reservation.events
            audit.record(.loginFailed, .failure, user: account?.id, username: account?.username.value,
                         reason: account == nil ? "unknown_user" : "wrong_password", client: client)
            recordThrottle(events.account + events.client, user: account?.id, username: account?.username.value,
                           client: client)
            throw RiegelError.invalidCredentials
        }

        if let until = account.lockedUntil, until > clock.now() {
            try gate.refund(ticket)
            audit.record(.loginFailed, .failure, user: account.id, username: account.username.value,
                         reason: "account_locked", client: client)
            throw RiegelError.accountLocked(until: until)
        }
        // The password is proven: the throttle forgets the account's failures
        // whatever follows. Where a session opens, that is written in the
        // session's transaction (one commit less on PostgreSQL); where it
        // could not be, or did not commit, it is written on its own.
        var settled = false
        do {
            if hashing.needsRehash(phc) {
                // Only over the hash this login verified: a new password set meanwhile stays.
                if try accounts.rehashPassword(id: account.id, try await sealedHash(of: password, for: account.id),
                                               ifGeneration: account.credentialGeneration) {
                    audit.record(.passwordRehashed, .success, user: account.id, username: account.username.value)
                }
            }
            if account.secondFactorEnabled, let deviceToken,
               case .trusted(let deviceID, let next) = try devices.redeem(token: deviceToken, for: account.id,
                                                                          client: client) {
                let session = try openSessionIfUnchanged(account, client: client) {
                    try gate.succeeded(ticket)
                    let session = try sessions.open(for: account, assurance: .secondFactor, method: .trustedDevice,
                                                    client: client, deviceID: deviceID)
                    audit.record(.loginSucceeded, .success, user: account.id, username: account.username.value,
                                 reason: "trusted_device", client: client,
                                 details: ["session_id": session.info.sessionID.rawValue,
                                           "device_id": deviceID.rawValue])
                    return session
                }
                settled = true
                return .session(session, deviceToken: next)
            }
            if account.secondFactorEnabled {
                try gate.succeeded(ticket)
                settled = true
                let challenge = try await startSecondFactorChallenge(FactorChallengeRequest(
                    purpose: .login, account: account, language: client.language,
                    credentialGeneration: account.credentialGeneration))
                audit.record(.loginChallenged, .success, user: account.id, username: account.username.value,
                             reason: "password", client: client, details: ["challenge_id": challenge.id.rawValue])
                return .challenge(challenge)
            }
            // One commit for the re-check, the throttle's success, the session,
            // the last-login time and the audit entry.
            let session = try openSessionIfUnchanged(account, client: client) {
                try gate.succeeded(ticket)
                let session = try sessions.open(for: account, assurance: .password, method: .password, client: client)
                audit.record(.loginSucceeded, .success, user: account.id, username: account.username.value,
                             reason: "password", client: client,
                             details: ["session_id": session.info.sessionID.rawValue])
                return session
            }
            settled = true
            return .session(session)
        } catch {
            if !settled { try? gate.succeeded(ticket) }
            throw error
        }
    }

    /// Opens a session with `open` in one transaction that first re-reads the
    /// account under the write lock (issue 11, item 6): it must still be what
    /// the login or challenge checked. A lock set meanwhile answers
    /// `AccountLocked`; a password change or reset, a second-factor change or
    /// a deleted account answers `changed` (what was proven no longer is the
    /// credential). The refusal is audited after the rollback.
    func openSessionIfUnchanged(_ account: AccountRecord, generation: Int? = nil, client: ClientContext,
                                changed: RiegelError = .invalidCredentials,
                                _ open: () throws -> NewSession) throws -> NewSession {
        var refusal: String?
        do {
            return try transactions.inTransaction {
                guard let current = try accounts.accountForUpdate(id: account.id) else {
                    refusal = "account_deleted"
                    throw changed
                }
                if let until = current.lockedUntil, until > clock.now() {
                    refusal = "account_locked"
                    throw RiegelError.accountLocked(until: until)
                }
                guard current.credentialGeneration == generation ?? account.credentialGeneration else {
                    refusal = "credentials_changed"
                    throw changed
                }
                return try open()
            }
        } catch {
            if let refusal {
                audit.record(.loginFailed, .failure, user: account.id, username: account.username.value,
                             reason: refusal, client: client)
            }
            throw error
        }
    }

    /// The account's PHC string, opened.
    func storedHash(of account: AccountRecord) throws -> String {
        let bytes = try sealer.open(account.passwordHash.bytes, purpose: .password, associatedData: aad(account.id))
        return String(decoding: bytes, as: UTF8.self)
    }
}
