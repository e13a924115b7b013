import RiegelCore

extension DeviceService {
    /// A nonce for an app key to sign: 256 random bits as base64url (43
    /// characters), valid for ``DevicePolicy/nonceLifetime``, single use,
    /// stored as its SHA-256 digest bound to `deviceID`.
    ///
    /// Every well-formed id gets a nonce, written the same way, whether the
    /// device exists, is revoked or not: the reply's shape and work do not
    /// tell them apart (no device lookup at all). Only an id of a shape
    /// riegel never issues is refused at once, which says nothing.
    /// - Throws: `NoSuchDevice` for an id not shaped `d_` + 32 hex digits.
    public func beginDeviceLogin(deviceID: DeviceID) throws -> (nonce: String, expiresAt: Instant) {
        guard deviceID.isWellFormed else { throw RiegelError.noSuchDevice }
        let nonce = tokens.newToken()
        let expiresAt = clock.now().adding(seconds: policy.nonceLifetime)
        try nonces.create(digest: digester.digest(ofToken: nonce), deviceID: deviceID, expiresAt: expiresAt)
        return (nonce, expiresAt)
    }

    /// Finishes a device-key login: `signature` (base64 of a DER ECDSA
    /// signature) must be the device key's ECDSA P-256 SHA-256 signature over
    /// the UTF-8 bytes of `nonce`. Gives a `second_factor` session (method
    /// `device_key`) linked to the device; the key's sliding expiry restarts.
    ///
    /// Order: a malformed id or signature is refused before anything is read
    /// or written (`NoSuchDevice`, `InvalidSignature`); then the throttle
    /// (`device:<id>` and the client address, as logins: `TooManyAttempts`;
    /// a lockout of the device key also answers `TooManyAttempts`, since the
    /// account is not what is locked); then the nonce is consumed, valid or
    /// not (`ChallengeExpired` if unknown, used or expired); then the
    /// signature is checked. An unknown, revoked or expired device, or a
    /// browser, runs the same verification against a dummy key and answers
    /// like a wrong signature: `InvalidSignature`, counted by the throttle.
    /// A valid signature for an account an administrator locked answers
    /// `AccountLocked` (only after the signature, as a password login does).
    public func finishDeviceLogin(deviceID: DeviceID, nonce: String, signature: String,
                                  client: ClientContext) throws -> NewSession {
        guard deviceID.isWellFormed else { throw RiegelError.noSuchDevice }
        guard let signatureBytes = Base64Text.decode(signature),
              (try? verifier.validateSignature(signatureBytes)) != nil else {
            throw RiegelError.invalidSignature
        }
        let now = clock.now()
        let deviceKey = "device:" + deviceID.rawValue
        let clientKey = client.ip.map { "ip:" + $0 }
        let details = ["device_id": deviceID.rawValue]
        // Checked and counted as a failure in one step (issue 11, item 2):
        // concurrent forgeries are each counted, refunded only on success.
        let gate = ThrottleGate(store: throttles, throttle: throttle)
        let ticket: ThrottleGate.Ticket
        switch try gate.reserve(key: deviceKey, clientKey: clientKey, now: now) {
        case .admitted(let admitted):
            ticket = admitted
        case .refused(.delayed(let retryAfter)):
            audit.record(.deviceLoginFailed, .failure, reason: "throttled", client: client, details: details)
            throw RiegelError.tooManyAttempts(retryAfterSeconds: retryAfter)
        case .refused(.locked(let until)):
            audit.record(.deviceLoginFailed, .failure, reason: "throttled", client: client, details: details)
            throw RiegelError.tooManyAttempts(retryAfterSeconds: max(1, Int(until.seconds(since: now).rounded(.up))))
        case .refused(.allowed):
            preconditionFailure("an allowed attempt is admitted")
        }
        return try finishDeviceLogin(deviceID: deviceID, nonce: nonce, signatureBytes: signatureBytes,
                                     client: client, now: now, gate: gate, ticket: ticket)
    }

    /// The rest of a device-key login once the attempt is counted: nonce,
    /// signature, session. A stale nonce (no verdict on the signature) and a
    /// valid signature for a locked account give the attempt back.
    private func finishDeviceLogin(deviceID: DeviceID, nonce: String, signatureBytes: [UInt8], client: ClientContext,
                                   now: Instant, gate: ThrottleGate, ticket: ThrottleGate.Ticket) throws -> NewSession {
        let details = ["device_id": deviceID.rawValue]
        guard let nonceExpiry = try nonces.consume(digest: digester.digest(ofToken: nonce), deviceID: deviceID),
              now < nonceExpiry else {
            try gate.refund(ticket)
            audit.record(.deviceLoginFailed, .failure, reason: "nonce_expired", client: client, details: details)
            throw RiegelError.challengeExpired
        }

        let device = try devices.device(id: deviceID)
        let usable = device.flatMap { $0.kind == .appKey && $0.state(at: now) == .active ? $0 : nil }
        let verified = verifier.isValidSignature(signatureBytes, of: Array(nonce.utf8),
                                                 publicKey: usable?.publicKey ?? verifier.decoyPublicKey)
        guard verified, let usable else {
            // Already counted by the reservation.
            let events = ticket.reservation.events
            let reason = usable != nil ? "invalid_signature"
                : device.map { $0.kind == .browser ? "not_an_app_key" : "device_\($0.state(at: now).rawValue)" }
                ?? "unknown_device"
            audit.record(.deviceLoginFailed, .failure, user: device?.userID, reason: reason, client: client,
                         details: details)
            recordThrottle(events.account + events.client, user: device?.userID, client: client, details: details)
            throw RiegelError.invalidSignature
        }

        guard let account = try accounts.account(id: usable.userID) else { throw RiegelError.invalidSignature }
        if let until = account.lockedUntil, until > now {
            try gate.refund(ticket)
            audit.record(.deviceLoginFailed, .failure, user: account.id, username: account.username.value,
                         reason: "account_locked", client: client, details: details)
            throw RiegelError.accountLocked(until: until)
        }
        try gate.succeeded(ticket)
        var used = usable
        used.recordKeyUse(policy: policy, now: now)
        try devices.recordUse(id: used.id, at: now, expiresAt: used.expiresAt)
        let session = try sessions.open(for: account, assurance: .secondFactor, method: .deviceKey, client: client,
                                        deviceID: used.id)
        audit.record(.deviceUsed, .success, user: account.id, username: account.username.value,
                     reason: "device_key", client: client,
                     details: ["device_id": used.id.rawValue, "kind": used.kind.rawValue])
        audit.record(.loginSucceeded, .success, user: account.id, username: account.username.value,
                     reason: "device_key", client: client,
                     details: ["session_id": session.info.sessionID.rawValue, "device_id": used.id.rawValue])
        return session
    }

    /// Audits what a failure set off on the device key or client address.
    func recordThrottle(_ events: [ThrottleEvent], user: UserID?, client: ClientContext, details: [String: String]) {
        for event in events {
            switch event {
            case .delayEngaged(let retryAfter, _):
                audit.record(.throttleEngaged, .failure, user: user, client: client,
                             details: details.merging(["retry_after": "\(retryAfter)"]) { $1 })
            case .locked(let until):
                audit.record(.throttleEngaged, .failure, user: user, reason: "device_key_locked", client: client,
                             details: details.merging(["until": "\(until)"]) { $1 })
            }
        }
    }
}
