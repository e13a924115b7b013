/// A challenge answered by a factor that sends nothing (TOTP, a recovery
/// code): a value-type state machine on injected time, stored by the
/// ``FactorStore``. SMS challenges are ``SMSChallenge``s; `VerifyChallenge`
/// takes either.
///
/// - Important: single use: once `verified`, nothing verifies again.
///   Attempts are per challenge; wrong codes also count against the
///   account's ``SecondFactorBudget``, shared with SMS codes.
public struct FactorChallenge: Sendable, Hashable {
    /// The public identifier (128 random bits), the same form as an SMS challenge's.
    public let id: ChallengeID
    /// What verifying proves: `login`, `step_up` or `password_reset`.
    public let purpose: ChallengePurpose
    /// Which kind of factor answers it.
    public let kind: FactorKind
    public let userID: UserID
    /// The session being stepped up; nil for login and reset.
    public let sessionID: SessionID?
    public let createdAt: Instant
    /// After this, the challenge is expired.
    public let expiresAt: Instant
    /// Wrong codes still accepted before the challenge fails.
    public private(set) var attemptsLeft: Int
    /// The stored state (see ``state(at:)``).
    public private(set) var state: ChallengeState
    /// The caller's language at start.
    public let language: String?
    /// The account's credential generation at start: a change since ends it.
    public let credentialGeneration: Int?
    /// For `password_reset`: the reset to complete.
    public let pendingReset: PendingPasswordReset?

    /// Starts a challenge.
    public static func start(id: ChallengeID, purpose: ChallengePurpose, kind: FactorKind, userID: UserID,
                             sessionID: SessionID?, language: String?, credentialGeneration: Int?,
                             pendingReset: PendingPasswordReset?, policy: SMSChallengePolicy, now: Instant)
        -> FactorChallenge {
        FactorChallenge(id: id, purpose: purpose, kind: kind, userID: userID, sessionID: sessionID, createdAt: now,
                        expiresAt: now.adding(seconds: policy.lifetime), attemptsLeft: policy.maxAttempts,
                        state: .pending, language: language, credentialGeneration: credentialGeneration,
                        pendingReset: pendingReset)
    }

    /// Creates a value from stored fields (no checks: prefer ``start``).
    public init(id: ChallengeID, purpose: ChallengePurpose, kind: FactorKind, userID: UserID, sessionID: SessionID?,
                createdAt: Instant, expiresAt: Instant, attemptsLeft: Int, state: ChallengeState, language: String?,
                credentialGeneration: Int?, pendingReset: PendingPasswordReset?) {
        self.id = id
        self.purpose = purpose
        self.kind = kind
        self.userID = userID
        self.sessionID = sessionID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.attemptsLeft = attemptsLeft
        self.state = state
        self.language = language
        self.credentialGeneration = credentialGeneration
        self.pendingReset = pendingReset
    }

    /// The state in effect at `now`: a pending challenge past ``expiresAt`` is expired.
    public func state(at now: Instant) -> ChallengeState {
        if state == .pending, now >= expiresAt { return .expired }
        return state
    }

    /// Applies one attempt whose code did (or did not) match.
    public mutating func verify(codeMatches: Bool, now: Instant) -> ChallengeVerifyOutcome {
        switch state(at: now) {
        case .expired:
            state = .expired
            return .expired
        case .verified: return .alreadyUsed
        case .failed: return .exhausted
        case .pending:
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
    }
}
