import RiegelCore

/// Trusted devices: remembered browsers (a rotating token that replaces the
/// SMS code at login) and app keys (a P-256 key in the phone's secure
/// hardware that signs a nonce). See `docs/flows/devices.md`.
///
/// The SMS flows call four members: ``trust(userID:label:client:)`` after a
/// verified login challenge with `remember_device`,
/// ``redeem(token:for:client:)`` when a login presents a `device_token`
/// (after the password was verified), ``revokeAll(of:reason:)`` on
/// password reset, second-factor disable and phone change, and
/// ``requireCredentialChange(_:username:operation:now:)`` before a phone
/// change or disabling the second factor (a remembered browser logs in but
/// never adds or changes a credential).
///
/// - Important: device tokens and nonces are 256 random bits, returned once
///   and stored only as SHA-256 digests; a browser token works once (each use
///   returns its successor), and a rotated token that comes back revokes its
///   device and the sessions that came from it (theft signal). Every trust,
///   use, rotation, replay and revocation is audited, never with a token,
///   nonce, signature or key in the entry.
public final class DeviceService: Sendable {
    let devices: any DeviceStore
    let nonces: any DeviceNonceStore
    let accounts: any AccountStore
    let throttles: any ThrottleStore
    let sessions: SessionService
    let verifier: any SignatureVerifier
    let tokens: any TokenGenerator
    let digester: any TokenDigester
    let clock: any WallClock
    let random: any RandomSource
    let throttle: LoginThrottle
    let audit: AuditRecorder
    /// The lifetimes and limits in force.
    public let policy: DevicePolicy

    /// A service over the given ports. `throttle` is the login throttle;
    /// device-key failures count on the key `device:<id>` and the client address.
    public init(devices: any DeviceStore, nonces: any DeviceNonceStore, accounts: any AccountStore,
                throttles: any ThrottleStore, sessions: SessionService, verifier: any SignatureVerifier,
                tokens: any TokenGenerator, digester: any TokenDigester, clock: any WallClock,
                random: any RandomSource, policy: DevicePolicy, throttle: LoginThrottle, audit: AuditRecorder) {
        self.devices = devices
        self.nonces = nonces
        self.accounts = accounts
        self.throttles = throttles
        self.sessions = sessions
        self.verifier = verifier
        self.tokens = tokens
        self.digester = digester
        self.clock = clock
        self.random = random
        self.policy = policy
        self.throttle = throttle
        self.audit = audit
    }

    // MARK: called by the SMS flows

    /// Trusts the browser the user just passed a login challenge in
    /// (`VerifyChallenge` with `remember_device`): makes a device record and
    /// returns its id and token (256 bits, shown once). If the user then has
    /// more than ``DevicePolicy/maxPerUser`` devices, the oldest is revoked
    /// (reason `device_cap`, audited, its sessions end).
    ///
    /// Open the login's session with `deviceID:` set to the returned id, so
    /// that revoking the device ends it.
    /// - Parameter label: the user's name for the device; nil derives one from
    ///   the user agent. Check it with ``validateLabel(_:)`` *before* the
    ///   challenge is verified, so a bad label does not cost the code.
    /// - Throws: `InvalidDeviceLabel`, `NoSuchAccount`.
    public func trust(userID: UserID, label: String?, client: ClientContext) throws -> (deviceID: DeviceID, token: String) {
        let deviceLabel = try label.map(Self.deviceLabel) ?? DeviceLabel.derived(fromUserAgent: client.userAgent)
        guard let account = try accounts.account(id: userID) else { throw RiegelError.noSuchAccount }
        let now = clock.now()
        try makeRoom(for: account, now: now, client: client)
        let token = tokens.newToken()
        let record = DeviceRecord.trustBrowser(id: DeviceID.random(using: random), userID: userID, label: deviceLabel,
                                               tokenDigest: digester.digest(ofToken: token), policy: policy, now: now)
        try devices.create(record)
        audit.record(.deviceTrusted, .success, user: userID, username: account.username.value, client: client,
                     details: ["device_id": record.id.rawValue, "kind": record.kind.rawValue,
                               "expires_at": "\(record.expiresAt)"])
        return (record.id, token)
    }

    /// What the browser token a login of `userID` presents is worth. Call only
    /// after the password was verified.
    ///
    /// The current token of an active device of this user is `.trusted`: it
    /// is rotated (the reply carries the successor; the presented token stops
    /// working), audited as `device.used`. Everything else is `.notTrusted`,
    /// never an error: another user's token, an expired or revoked device, an
    /// unknown or forged token (audited as `device.rejected`). A token that
    /// was already rotated (a copy is in use elsewhere) revokes the device,
    /// ends its sessions and revokes the app keys enrolled through them
    /// (`device.token_replayed`, `device.revoked`, `device.theft_suspected`).
    ///
    /// Two logins racing with one token: the store rotates only once; the
    /// loser finds its token rotated and so counts as a replay.
    public func redeem(token: String, for userID: UserID, client: ClientContext) throws -> DeviceRedemption {
        let digest = digester.digest(ofToken: token)
        for _ in 0..<2 {
            guard var device = try devices.device(tokenDigest: digest) else {
                audit.record(.deviceRejected, .failure, user: userID, reason: "unknown_token", client: client)
                return .notTrusted
            }
            let next = tokens.newToken()
            let now = clock.now()
            let outcome = device.presentToken(digest: digest, by: userID, successorDigest: digester.digest(ofToken: next),
                                              policy: policy, now: now)
            let details = ["device_id": device.id.rawValue, "kind": device.kind.rawValue]
            switch outcome {
            case .rotated:
                guard try devices.rotate(device, from: digest) else { continue }  // rotated meanwhile: look again
                audit.record(.deviceUsed, .success, user: userID, reason: "token_rotated", client: client,
                             details: details)
                return .trusted(deviceID: device.id, nextToken: next)
            case .replayed:
                audit.record(.deviceTokenReplayed, .failure, user: userID, client: client, details: details)
                try revokeAsStolen(device.id, of: userID, now: now, client: client)
                return .notTrusted
            case .otherUser, .revoked, .expired, .unknown:
                audit.record(.deviceRejected, .failure, user: userID, reason: outcome.rawValue, client: client,
                             details: details)
                return .notTrusted
            }
        }
        return .notTrusted
    }

    /// A replayed token: the browser `id` is treated as stolen. It is revoked
    /// (its sessions end, and with them any phone change they started and not
    /// yet confirmed), and so is every app key enrolled from one of its
    /// sessions, and every key enrolled from those keys' sessions, and so on:
    /// whatever a copy of the token could have set up goes with it. Audited
    /// as `device.theft_suspected` with the count of derived keys revoked.
    func revokeAsStolen(_ id: DeviceID, of userID: UserID, now: Instant, client: ClientContext) throws {
        try revoke(id, of: userID, username: nil, reason: "token_replay", now: now, client: client)
        var tainted: Set<DeviceID> = [id]
        var derived: [DeviceID] = []
        var frontier: [DeviceID] = [id]
        let live = try devices.devices(of: userID)
        while let next = frontier.popLast() {
            for key in live where key.enrolledFromDevice == next && !tainted.contains(key.id) {
                tainted.insert(key.id)
                frontier.append(key.id)
                if try revoke(key.id, of: userID, username: nil, reason: "derived_from_stolen_device", now: now,
                              client: client) {
                    derived.append(key.id)
                }
            }
        }
        audit.record(.deviceTheftSuspected, .failure, user: userID, reason: "token_replay", client: client,
                     details: ["device_id": id.rawValue, "derived_devices_revoked": "\(derived.count)",
                               "derived_device_ids": derived.map(\.rawValue).joined(separator: ",")])
    }

    /// Revokes every device of `userID`, browsers and app keys, and ends the
    /// sessions that came from them; returns how many devices were revoked.
    /// For password reset, second-factor disable, phone change
    /// (`reason`: e.g. `password_reset`) and admin `RevokeDevices`.
    @discardableResult
    public func revokeAll(of userID: UserID, reason: String) throws -> Int {
        let revoked = try devices.revokeAll(of: userID, reason: reason, at: clock.now())
        for id in revoked {
            let ended = try sessions.endAll(ofDevice: id, reason: "device_revoked")
            audit.record(.deviceRevoked, .success, user: userID, reason: reason,
                         details: ["device_id": id.rawValue, "sessions_ended": "\(ended)"])
        }
        return revoked.count
    }

    /// Checks a device label a caller is about to pass to ``trust(userID:label:client:)``
    /// (nil is fine: one is derived).
    /// - Throws: `InvalidDeviceLabel`.
    public static func validateLabel(_ label: String?) throws {
        if let label { _ = try deviceLabel(label) }
    }

    // MARK: shared steps

    static func deviceLabel(_ raw: String) throws -> DeviceLabel {
        do {
            return try DeviceLabel(raw)
        } catch {
            throw RiegelError.invalidDeviceLabel(reason: error.message)
        }
    }

    /// Revokes the oldest active devices of `account` so that one more fits.
    func makeRoom(for account: AccountRecord, now: Instant, client: ClientContext) throws {
        for old in policy.evictions(among: try devices.devices(of: account.id), now: now) {
            try revoke(old.id, of: account.id, username: account.username.value, reason: "device_cap", now: now,
                       client: client)
        }
    }

    /// Revokes one device, ends its sessions, audits; false if it was revoked before.
    @discardableResult
    func revoke(_ id: DeviceID, of userID: UserID, username: String?, reason: String, now: Instant,
                client: ClientContext? = nil) throws -> Bool {
        guard try devices.revoke(id: id, reason: reason, at: now) else { return false }
        let ended = try sessions.endAll(ofDevice: id, reason: "device_revoked")
        audit.record(.deviceRevoked, .success, user: userID, username: username, reason: reason, client: client,
                     details: ["device_id": id.rawValue, "sessions_ended": "\(ended)"])
        return true
    }
}
