/// One SMS challenge: a value-type state machine on injected time, stored
/// as Codable (see `docs/flows/sms-challenge.md`).
///
/// Use:
/// 1. ``start(id:purpose:userID:sessionID:sealedPhone:codeDigest:policy:now:)``
///    with a fresh ``ChallengeID``, a ``OneTimeCode`` and its digest
///    (`digester.digest(code.digestMessage(challengeID: id), purpose: .otp)`);
///    persist, then send the code.
/// 2. On `VerifyChallenge`: check the account's ``SecondFactorBudget`` first,
///    then compute `codeMatches` with ``codeMatches(_:digester:)`` and call
///    ``verify(codeMatches:now:)``; persist; record wrong codes in the budget.
/// 3. On `ResendChallenge`: make a new code and digest, call
///    ``resend(newDigest:now:)``; only on `.sent` persist and send.
///
/// The phone: the challenge keeps the E.164 number only as ``sealedPhone``
/// (sealed by the service with the `pii` key), since a resend needs it and
/// enrolment verifies a number that is not on the account yet.
///
/// - Important: single use: once `verified`, nothing verifies again. A
///   resend replaces ``codeDigest``, so the previous code stops working.
///   Attempts are per challenge and a resend does not restore them.
/// - Important: the challenge holds no code, only its keyed digest bound to
///   ``id``; and no phone number in clear.
public struct SMSChallenge: Sendable, Hashable {
    /// The public identifier (128 random bits).
    public let id: ChallengeID
    /// What verifying proves.
    public let purpose: ChallengePurpose
    /// The account the code is for.
    public let userID: UserID
    /// The session being stepped up or enrolling a phone; nil for login and reset.
    public let sessionID: SessionID?
    /// The E.164 number, sealed with the `pii` key.
    public let sealedPhone: SealedSecret
    /// The keyed digest (`otp` key) of the current code, bound to ``id``.
    public private(set) var codeDigest: KeyedDigest
    /// When the challenge started.
    public let createdAt: Instant
    /// When the current code stops working (lifetime after the last send).
    public private(set) var expiresAt: Instant
    /// When the code was last sent.
    public private(set) var lastSentAt: Instant
    /// Wrong codes still accepted before the challenge fails.
    public private(set) var attemptsLeft: Int
    /// Resends so far.
    public private(set) var resendCount: Int
    /// Digits per code (copied at start).
    public let codeLength: Int
    /// Resends allowed in total (the policy's, copied at start).
    public let maxResends: Int
    /// Seconds between sends (copied at start).
    public let resendCooldown: Double
    /// Lifetime of each code in seconds (copied at start).
    public let lifetime: Double
    /// The stored state (see ``state(at:)`` for the state in effect).
    public private(set) var state: ChallengeState

    /// Starts a challenge whose first code was just made.
    public static func start(
        id: ChallengeID, purpose: ChallengePurpose, userID: UserID, sessionID: SessionID?,
        sealedPhone: SealedSecret, codeDigest: KeyedDigest, policy: SMSChallengePolicy = .default,
        now: Instant
    ) -> SMSChallenge {
        SMSChallenge(
            id: id, purpose: purpose, userID: userID, sessionID: sessionID, sealedPhone: sealedPhone,
            codeDigest: codeDigest, createdAt: now, expiresAt: now.adding(seconds: policy.lifetime),
            lastSentAt: now, attemptsLeft: policy.maxAttempts, resendCount: 0,
            codeLength: policy.codeLength, maxResends: policy.maxResends, resendCooldown: policy.resendCooldown,
            lifetime: policy.lifetime, state: .pending)
    }

    /// Creates a value from stored fields (no checks: prefer ``start``).
    public init(
        id: ChallengeID, purpose: ChallengePurpose, userID: UserID, sessionID: SessionID?,
        sealedPhone: SealedSecret, codeDigest: KeyedDigest, createdAt: Instant, expiresAt: Instant,
        lastSentAt: Instant, attemptsLeft: Int, resendCount: Int, codeLength: Int, maxResends: Int,
        resendCooldown: Double, lifetime: Double, state: ChallengeState
    ) {
        self.id = id
        self.purpose = purpose
        self.userID = userID
        self.sessionID = sessionID
        self.sealedPhone = sealedPhone
        self.codeDigest = codeDigest
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastSentAt = lastSentAt
        self.attemptsLeft = attemptsLeft
        self.resendCount = resendCount
        self.codeLength = codeLength
        self.maxResends = maxResends
        self.resendCooldown = resendCooldown
        self.lifetime = lifetime
        self.state = state
    }

    /// The earliest time a resend is allowed (the IDL's `resend_after`).
    public var resendAfter: Instant { lastSentAt.adding(seconds: resendCooldown) }

    /// The state in effect at `now`: a pending challenge past ``expiresAt`` is expired.
    public func state(at now: Instant) -> ChallengeState {
        if state == .pending, now >= expiresAt { return .expired }
        return state
    }

    /// Whether `input` is the current code: parses it (``OneTimeCode/init(userInput:length:)`` with
    /// ``codeLength``; malformed input is simply wrong) and compares digests in constant time.
    public func codeMatches(_ input: String, digester: any KeyedDigester) -> Bool {
        guard let code = OneTimeCode(userInput: input, length: codeLength) else { return false }
        return digester.matches(code.digestMessage(challengeID: id), digest: codeDigest, purpose: .otp)
    }

    /// Applies one verification attempt whose result is `codeMatches`.
    ///
    /// Order: used → `alreadyUsed`; failed → `exhausted`; past the expiry
    /// → `expired`; right → `verified`; wrong → one attempt fewer, `wrong`
    /// or, at zero, `exhausted`.
    public mutating func verify(codeMatches: Bool, now: Instant) -> ChallengeVerifyOutcome {
        switch state(at: now) {
        case .verified: return .alreadyUsed
        case .failed: return .exhausted
        case .expired:
            state = .expired
            return .expired
        case .pending: break
        }
        if codeMatches {
            state = .verified
            return .verified
        }
        attemptsLeft = max(0, attemptsLeft - 1)
        if attemptsLeft == 0 {
            state = .failed
            return .exhausted
        }
        return .wrong(attemptsLeft: attemptsLeft)
    }

    /// Replaces the code with one whose digest is `newDigest` (bound to
    /// ``id``), if the challenge is pending, a resend is left and the
    /// cooldown has passed. A resend restarts the code's lifetime, not the
    /// attempts. Changes nothing unless the outcome is `.sent`.
    public mutating func resend(newDigest: KeyedDigest, now: Instant) -> ChallengeResendOutcome {
        switch state(at: now) {
        case .verified, .failed: return .closed
        case .expired:
            state = .expired
            return .expired
        case .pending: break
        }
        guard resendCount < maxResends else { return .limitReached }
        if now < resendAfter {
            return .tooSoon(retryAfter: max(1, Int(resendAfter.seconds(since: now).rounded(.up))))
        }
        codeDigest = newDigest
        resendCount += 1
        lastSentAt = now
        expiresAt = now.adding(seconds: lifetime)
        return .sent
    }

    /// Whether the challenge is over at `now` and may be deleted.
    public func isDiscardable(now: Instant) -> Bool { state(at: now) != .pending }
}

extension SMSChallenge: Codable {
    private enum CodingKeys: String, CodingKey {
        case id, purpose, userID = "user_id", sessionID = "session_id", sealedPhone = "sealed_phone"
        case codeDigest = "code_digest", createdAt = "created_at", expiresAt = "expires_at"
        case lastSentAt = "last_sent_at", attemptsLeft = "attempts_left", resendCount = "resend_count"
        case codeLength = "code_length", maxResends = "max_resends", resendCooldown = "resend_cooldown", lifetime, state
    }

    /// Key id and bytes (hex) of a digest or a sealed value.
    private struct KeyedBytes: Codable {
        var keyID: KeyID
        var hex: String
        enum CodingKeys: String, CodingKey { case keyID = "key_id", hex }
    }

    /// Decodes a stored challenge.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func bytes(_ key: CodingKeys) throws -> (KeyID, [UInt8]) {
            let raw = try c.decode(KeyedBytes.self, forKey: key)
            guard let bytes = Hex.decode(raw.hex.utf8) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "not hex")
            }
            return (raw.keyID, bytes)
        }
        let phone = try bytes(.sealedPhone)
        let digest = try bytes(.codeDigest)
        self.init(
            id: try c.decode(ChallengeID.self, forKey: .id),
            purpose: try c.decode(ChallengePurpose.self, forKey: .purpose),
            userID: try c.decode(UserID.self, forKey: .userID),
            sessionID: try c.decodeIfPresent(SessionID.self, forKey: .sessionID),
            sealedPhone: SealedSecret(bytes: phone.1, keyID: phone.0),
            codeDigest: KeyedDigest(bytes: digest.1, keyID: digest.0),
            createdAt: try c.decode(Instant.self, forKey: .createdAt),
            expiresAt: try c.decode(Instant.self, forKey: .expiresAt),
            lastSentAt: try c.decode(Instant.self, forKey: .lastSentAt),
            attemptsLeft: try c.decode(Int.self, forKey: .attemptsLeft),
            resendCount: try c.decode(Int.self, forKey: .resendCount),
            codeLength: try c.decode(Int.self, forKey: .codeLength),
            maxResends: try c.decode(Int.self, forKey: .maxResends),
            resendCooldown: try c.decode(Double.self, forKey: .resendCooldown),
            lifetime: try c.decode(Double.self, forKey: .lifetime),
            state: try c.decode(ChallengeState.self, forKey: .state))
    }

    /// Encodes the challenge for storage.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(purpose, forKey: .purpose)
        try c.encode(userID, forKey: .userID)
        try c.encodeIfPresent(sessionID, forKey: .sessionID)
        try c.encode(KeyedBytes(keyID: sealedPhone.keyID, hex: Hex.encode(sealedPhone.bytes)), forKey: .sealedPhone)
        try c.encode(KeyedBytes(keyID: codeDigest.keyID, hex: Hex.encode(codeDigest.bytes)), forKey: .codeDigest)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(expiresAt, forKey: .expiresAt)
        try c.encode(lastSentAt, forKey: .lastSentAt)
        try c.encode(attemptsLeft, forKey: .attemptsLeft)
        try c.encode(resendCount, forKey: .resendCount)
        try c.encode(codeLength, forKey: .codeLength)
        try c.encode(maxResends, forKey: .maxResends)
        try c.encode(resendCooldown, forKey: .resendCooldown)
        try c.encode(lifetime, forKey: .lifetime)
        try c.encode(state, forKey: .state)
    }
}
