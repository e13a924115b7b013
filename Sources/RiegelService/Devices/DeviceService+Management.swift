import RiegelCore

extension DeviceService {
    /// The active devices of the session's user, oldest first.
    /// - Throws: `InvalidToken`, `SessionExpired`.
    public func list(token: String) throws -> [DeviceInfo] {
        let checked = try sessions.check(token: token)
        let now = clock.now()
        return try devices.devices(of: checked.userID).filter { $0.state(at: now) == .active }.map(DeviceInfo.init)
    }

    /// Revokes one of the session user's own active devices and ends the
    /// sessions that came from it (this session too, if it did).
    /// - Throws: `NoSuchDevice` for an id that is unknown, another user's,
    ///   already revoked or expired (they are not told apart).
    public func revoke(token: String, deviceID: DeviceID) throws {
        let checked = try sessions.check(token: token)
        let now = clock.now()
        guard let device = try devices.device(id: deviceID), device.userID == checked.userID,
              device.state(at: now) == .active else {
            throw RiegelError.noSuchDevice
        }
        try revoke(device.id, of: checked.userID, username: checked.info.username, reason: "user", now: now)
    }

    /// Enrols an app key: `publicKey` is the base64 (standard or URL-safe) of
    /// a P-256 SubjectPublicKeyInfo in DER. Returns the new device's id, for
    /// `BeginDeviceLogin`. One more than ``DevicePolicy/maxPerUser`` devices
    /// revokes the oldest.
    ///
    /// A credential change (``CredentialChangeRule``): needs a session whose
    /// second factor was proven by an SMS code or an app key within
    /// ``DevicePolicy/enrolmentMaxAge``. A password-only, older, or merely
    /// trusted-browser session gets `StepUpRequired` (audited
    /// `credential_change.refused`; the user passes `BeginStepUp` and
    /// retries): neither the password alone nor the password with a copied
    /// browser token may mint a long-lived credential. An account without a
    /// second factor gets `SecondFactorNotEnrolled`. Authorization is checked
    /// before the input, so a caller without it learns nothing about its
    /// input. The key records the enrolling session and the device that
    /// session came from, so a replay of that device's token revokes it.
    /// - Throws: `InvalidDeviceLabel`, `InvalidPublicKey` (changing nothing).
    public func enrollKey(token: String, publicKey: String, label: String) throws -> DeviceID {
        let checked = try sessions.check(token: token)
        guard let account = try accounts.account(id: checked.userID) else {
            throw RiegelError.sessionExpired(.revoked)
        }
        guard account.secondFactorEnabled else { throw RiegelError.secondFactorNotEnrolled }
        let now = clock.now()
        // No password here: a session proven only by a recovery code may not add an app key.
        try requireCredentialChange(checked, username: account.username.value, operation: "enroll_device_key", now: now,
                                    passwordChecked: false)
        let deviceLabel = try Self.deviceLabel(label)
        guard let key = Base64Text.decode(publicKey) else {
            throw RiegelError.invalidPublicKey(reason: "not base64 (standard or URL-safe alphabet)")
        }
        do {
            try verifier.validatePublicKey(key)
        } catch {
            switch error {
            case .invalidPublicKey(let reason): throw RiegelError.invalidPublicKey(reason: reason)
            case .malformedSignature: throw RiegelError.invalidPublicKey(reason: "not a public key")
            }
        }
        try makeRoom(for: account, now: now, client: ClientContext())
        let origin = try sessions.device(ofSession: checked.id)
        let record = DeviceRecord.enrolKey(id: DeviceID.random(using: random), userID: account.id, label: deviceLabel,
                                           publicKey: key, policy: policy, now: now, session: checked.id,
                                           fromDevice: origin)
        try devices.create(record)
        var details = ["device_id": record.id.rawValue, "kind": record.kind.rawValue, "session_id": checked.id.rawValue]
        if let origin { details["enrolled_from_device"] = origin.rawValue }
        audit.record(.deviceKeyEnrolled, .success, user: account.id, username: account.username.value,
                     details: details)
        return record.id
    }

    /// Throws `StepUpRequired` (audited `credential_change.refused` with the
    /// rule's reason and the `operation`) unless ``CredentialChangeRule``
    /// allows the session to add or change a credential now.
    public func requireCredentialChange(_ checked: SessionService.Checked, username: String, operation: String,
                                        now: Instant, passwordChecked: Bool = true) throws {
        let decision = CredentialChangeRule.decide(
            assurance: checked.info.assurance, proofMethod: checked.secondFactorMethod,
            provenAt: checked.info.secondFactorAt, now: now, maxAge: policy.enrolmentMaxAge,
            passwordChecked: passwordChecked)
        guard case .stepUpRequired(let reason) = decision else { return }
        audit.record(.credentialChangeRefused, .failure, user: checked.userID, username: username, reason: reason,
                     details: ["operation": operation, "session_id": checked.id.rawValue])
        throw RiegelError.stepUpRequired
    }

    /// Admin `RevokeDevices`: revokes every device of the account named
    /// `username` (any case); returns how many.
    /// - Throws: `NoSuchAccount`.
    public func revokeAll(username: String) throws -> Int {
        guard let name = try? Username(username), let account = try accounts.account(usernameKey: name.canonicalKey) else {
            throw RiegelError.noSuchAccount
        }
        return try revokeAll(of: account.id, reason: "admin")
    }

    /// Active devices of `userID` (admin `GetAccount`).
    public func liveCount(of userID: UserID) throws -> Int {
        let now = clock.now()
        return try devices.devices(of: userID).filter { $0.state(at: now) == .active }.count
    }

    /// Deletes expired devices (revoked ones stay until they would have
    /// expired, so a replayed token of theirs is still recognized and
    /// audited) and expired nonces; returns how many rows went.
    @discardableResult
    public func sweep() throws -> Int {
        let now = clock.now()
        return try devices.deleteExpired(before: now) + nonces.deleteExpired(before: now)
    }
}
