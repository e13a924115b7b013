import Logging
import RiegelCore

extension AccountService {
    /// Password login: a session, or for an account with the second factor on,
    /// an SMS challenge that ``verifyChallenge(id:code:rememberDevice:deviceLabel:client:)`` finishes.
    ///
    /// - Important: security rules 1 and 4. An unknown username and a wrong
    ///   password give the same `InvalidCredentials` after the same work (an
    ///   argon2id verification against a dummy hash); failures back off per
    ///   account key (kept for unknown names too, so a delay tells nothing)
    ///   and per client IP; the answer to a locked account comes only after
    ///   the right password.
    public func login(username rawUsername: String, password: String, deviceToken: String? = nil,
                      client: ClientContext) async throws -> LoginOutcome {
        // A full pool answers Overloaded before any database or crypto work:
        // the answer says nothing about the account, and a flood of refused
        // calls then costs almost nothing (BENCHMARKS.md, login flood).
        if hashing.isSaturated {
            throw RiegelError.overloaded(retryAfterSeconds: hashing.configuration.retryAfterSeconds)
        }
        let now = clock.now()
        let username = try? Username(rawUsername)
        let accountKey = accountThrottleKey(username?.canonicalKey ?? "?" + String(rawUsername.lowercased().prefix(64)))
        let clientKey = client.ip.map { "ip:" + $0 }
        var accountState = try throttles.state(for: accountKey) ?? ThrottleState()
        var clientState: ThrottleState? = try clientKey.map { try throttles.state(for: $0) ?? ThrottleState() }
        do {
            try refuseIfThrottled(policy.throttle.check(account: accountState, client: clientState, now: now))
        } catch {
            audit.record("login.failed", .failure, username: username?.value, reason: "throttled", client: client)
            throw error
        }

        let account = try username.flatMap { try accounts.account(usernameKey: $0.canonicalKey) }
        // The same steps for an unknown user (a dummy hash), no sooner than
        // the verification floor (AccountService+PasswordCheck).
        let phc = try await checkLoginPassword(password, of: account)

        guard let account, let phc else {
            let events = policy.throttle.recordFailure(account: &accountState, client: &clientState, now: clock.now())
            try throttles.save(accountState, for: accountKey)
            if let clientKey, let clientState { try throttles.save(clientState, for: clientKey) }
            audit.record("login.failed", .failure, user: account?.id, username: account?.username.value,
                         reason: account == nil ? "unknown_user" : "wrong_password", client: client)
            recordThrottle(events.account + events.client, user: account?.id, username: account?.username.value,
                           client: client)
            throw RiegelError.invalidCredentials
        }

        if let until = account.lockedUntil, until > clock.now() {
            audit.record("login.failed", .failure, user: account.id, username: account.username.value,
                         reason: "account_locked", client: client)
            throw RiegelError.accountLocked(until: until)
        }
        let before = accountState
        policy.throttle.recordSuccess(account: &accountState)
        if accountState != before { try throttles.save(accountState, for: accountKey) }
        if hashing.needsRehash(phc) {
            try accounts.updatePasswordHash(id: account.id, try await sealedHash(of: password, for: account.id))
            audit.record("password.rehashed", .success, user: account.id, username: account.username.value)
        }
        if account.secondFactorEnabled, let deviceToken,
           case .trusted(let deviceID, let next) = try devices.redeem(token: deviceToken, for: account.id, client: client) {
            let session = try transactions.inTransaction {
                let session = try sessions.open(for: account, assurance: .secondFactor, method: .trustedDevice,
                                                client: client, deviceID: deviceID)
                audit.record("login.succeeded", .success, user: account.id, username: account.username.value,
                             reason: "trusted_device", client: client,
                             details: ["session_id": session.info.sessionID.rawValue, "device_id": deviceID.rawValue])
                return session
            }
            return .session(session, deviceToken: next)
        }
        if account.secondFactorEnabled {
            guard let phone = try sms.phone(of: account) else { throw RiegelError.smsUnavailable }
            let challenge = try await sms.start(.login, user: account.id, username: account.username.value,
                                                phone: phone, language: client.language)
            audit.record("login.challenged", .success, user: account.id, username: account.username.value,
                         reason: "password", client: client, details: ["challenge_id": challenge.id.rawValue])
            return .challenge(challenge)
        }
        // One commit for the session, the last-login time and the audit entry.
        let session = try transactions.inTransaction {
            let session = try sessions.open(for: account, assurance: .password, method: .password, client: client)
            audit.record("login.succeeded", .success, user: account.id, username: account.username.value,
                         reason: "password", client: client, details: ["session_id": session.info.sessionID.rawValue])
            return session
        }
        return .session(session)
    }

    /// The account's PHC string, opened.
    func storedHash(of account: AccountRecord) throws -> String {
        let bytes = try sealer.open(account.passwordHash.bytes, purpose: .password, associatedData: aad(account.id))
        return String(decoding: bytes, as: UTF8.self)
    }
}
