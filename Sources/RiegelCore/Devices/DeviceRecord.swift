/// A trusted device as stored: a remembered browser (rotating bearer token)
/// or an app key (P-256 public key). A value-type state machine on injected
/// time (see `docs/flows/devices.md`):
///
/// - ``trustBrowser(id:userID:label:tokenDigest:policy:now:)`` after a
///   verified login challenge with `remember_device`;
/// - ``enrolKey(id:userID:label:publicKey:policy:now:)`` from a
///   `second_factor` session;
/// - ``presentToken(digest:by:successorDigest:policy:now:)`` on every login
///   that presents a browser token: rotates it, or revokes the device when an
///   already rotated token comes back;
/// - ``recordKeyUse(policy:now:)`` after a valid device-key signature;
/// - ``revoke(reason:at:)``.
///
/// - Important: the token itself is never held, only SHA-256 digests: the
///   current one and up to ``DevicePolicy/retainedPreviousTokens`` rotated
///   ones (newest first), kept to recognize a replay.
public struct DeviceRecord: Sendable, Hashable {
    public let id: DeviceID
    public let userID: UserID
    public let kind: DeviceKind
    /// What the user sees in `ListDevices` (validated, or derived from the user agent).
    public let label: String
    public let createdAt: Instant
    /// The last login the device gave, if any.
    public private(set) var lastUsedAt: Instant?
    /// When the device stops being trusted (fixed for browsers, sliding for app keys).
    public private(set) var expiresAt: Instant
    /// SHA-256 of the browser's current token; nil for app keys.
    public private(set) var tokenDigest: [UInt8]?
    /// SHA-256 of rotated tokens, newest first, at most
    /// ``DevicePolicy/retainedPreviousTokens``; empty for app keys.
    public private(set) var previousTokenDigests: [[UInt8]]
    /// The app key as SubjectPublicKeyInfo DER (P-256); nil for browsers.
    public let publicKey: [UInt8]?
    /// Set when the device was revoked.
    public private(set) var revokedAt: Instant?
    public private(set) var revokeReason: String?
    /// For an app key: the session that enrolled it, if known.
    public let enrolledBySession: SessionID?
    /// For an app key: the device that enrolling session came from (a
    /// browser or another app key), if any. Revoking that device as stolen
    /// (a replayed token) revokes this key too.
    public let enrolledFromDevice: DeviceID?

    /// Creates a value from stored fields (no checks: prefer the factories).
    public init(id: DeviceID, userID: UserID, kind: DeviceKind, label: String, createdAt: Instant,
                lastUsedAt: Instant? = nil, expiresAt: Instant, tokenDigest: [UInt8]? = nil,
                previousTokenDigests: [[UInt8]] = [], publicKey: [UInt8]? = nil, revokedAt: Instant? = nil,
                revokeReason: String? = nil, enrolledBySession: SessionID? = nil,
                enrolledFromDevice: DeviceID? = nil) {
        self.id = id
        self.userID = userID
        self.kind = kind
        self.label = label
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.expiresAt = expiresAt
        self.tokenDigest = tokenDigest
        self.previousTokenDigests = previousTokenDigests
        self.publicKey = publicKey
        self.revokedAt = revokedAt
        self.revokeReason = revokeReason
        self.enrolledBySession = enrolledBySession
        self.enrolledFromDevice = enrolledFromDevice
    }

    /// A browser trusted now, for ``DevicePolicy/browserLifetime``, holding
    /// the token whose digest is `tokenDigest`.
    public static func trustBrowser(id: DeviceID, userID: UserID, label: DeviceLabel, tokenDigest: [UInt8],
                                    policy: DevicePolicy, now: Instant) -> DeviceRecord {
        DeviceRecord(id: id, userID: userID, kind: .browser, label: label.value, createdAt: now,
                     expiresAt: now.adding(seconds: policy.browserLifetime), tokenDigest: tokenDigest)
    }

    /// An app key enrolled now, trusted for ``DevicePolicy/appKeyIdleLifetime``
    /// after its last use. `publicKey` must already be validated (SPKI DER, P-256).
    /// `session` and `fromDevice` record where the enrolment came from.
    public static func enrolKey(id: DeviceID, userID: UserID, label: DeviceLabel, publicKey: [UInt8],
                                policy: DevicePolicy, now: Instant, session: SessionID? = nil,
                                fromDevice: DeviceID? = nil) -> DeviceRecord {
        DeviceRecord(id: id, userID: userID, kind: .appKey, label: label.value, createdAt: now,
                     expiresAt: now.adding(seconds: policy.appKeyIdleLifetime), publicKey: publicKey,
                     enrolledBySession: session, enrolledFromDevice: fromDevice)
    }

    /// The state in effect at `now`: revoked wins; then past ``expiresAt`` is expired.
    public func state(at now: Instant) -> DeviceState {
        if revokedAt != nil { return .revoked }
        if now >= expiresAt { return .expired }
        return .active
    }

    /// Applies one presentation of a browser token whose SHA-256 is `digest`,
    /// by a login of `userID`, with `successorDigest` ready as the next token.
    ///
    /// Order: another user's device → `otherUser`; revoked → `revoked`;
    /// expired → `expired`; the current digest → `rotated` (successor in,
    /// presented digest kept as previous, last use now); a retained previous
    /// digest → `replayed` (revoked, reason `token_replay`); else `unknown`.
    /// Changes nothing unless the outcome is `rotated` or `replayed`.
    /// - Important: digests are compared in constant time.
    public mutating func presentToken(digest: [UInt8], by userID: UserID, successorDigest: [UInt8],
                                      policy: DevicePolicy, now: Instant) -> DeviceTokenOutcome {
        guard userID == self.userID else { return .otherUser }
        switch state(at: now) {
        case .revoked: return .revoked
        case .expired: return .expired
        case .active: break
        }
        guard let current = tokenDigest else { return .unknown }
        if ConstantTime.equals(current, digest) {
            previousTokenDigests = Array(([current] + previousTokenDigests).prefix(policy.retainedPreviousTokens))
            tokenDigest = successorDigest
            lastUsedAt = now
            return .rotated
        }
        // Every retained digest is compared, match or not.
        var seen = false
        for previous in previousTokenDigests where ConstantTime.equals(previous, digest) { seen = true }
        guard seen else { return .unknown }
        revoke(reason: "token_replay", at: now)
        return .replayed
    }

    /// Records a valid device-key login now: last use, and the sliding expiry
    /// moves to now + ``DevicePolicy/appKeyIdleLifetime``. Only for an active app key.
    public mutating func recordKeyUse(policy: DevicePolicy, now: Instant) {
        guard kind == .appKey, state(at: now) == .active else { return }
        lastUsedAt = now
        expiresAt = now.adding(seconds: policy.appKeyIdleLifetime)
    }

    /// Revokes the device; false (and no change) if it was revoked before.
    @discardableResult
    public mutating func revoke(reason: String, at now: Instant) -> Bool {
        guard revokedAt == nil else { return false }
        revokedAt = now
        revokeReason = reason
        return true
    }
}
