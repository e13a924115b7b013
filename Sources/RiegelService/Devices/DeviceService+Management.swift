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
    /// Needs a `second_factor` session whose second factor was proven within
    /// ``DevicePolicy/enrolmentMaxAge``: a password-only (or older) session
    /// gets `StepUpRequired` (the user passes `BeginStepUp` and retries; the
    /// password alone must never mint a long-lived credential); an account
    /// without a second factor gets `SecondFactorNotEnrolled`. Authorization
    /// is checked before the input, so a caller without it learns nothing
    /// about its input.
    /// - Throws: `InvalidDeviceLabel`, `InvalidPublicKey` (changing nothing).
    public func enrollKey(token: String, publicKey: String, label: String) throws -> DeviceID {
        let checked = try sessions.check(token: token)
        guard let account = try accounts.account(id: checked.userID) else {
            throw RiegelError.sessionExpired(.revoked)
        }
        guard account.secondFactorEnabled else { throw RiegelError.secondFactorNotEnrolled }
        let now = clock.now()
        guard checked.info.assurance == .secondFactor, let provenAt = checked.info.secondFactorAt,
              now.seconds(since: provenAt) < policy.enrolmentMaxAge else {
            throw RiegelError.stepUpRequired
        }
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
        let record = DeviceRecord.enrolKey(id: DeviceID.random(using: random), userID: account.id, label: deviceLabel,
                                           publicKey: key, policy: policy, now: now)
        try devices.create(record)
        audit.record("device.key_enrolled", .success, user: account.id, username: account.username.value,
                     details: ["device_id": record.id.rawValue, "kind": record.kind.rawValue,
                               "session_id": checked.id.rawValue])
        return record.id
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
