/// Every failure a riegel use case reports to its caller.
///
/// The cases mirror the errors of the `io.riegel.*` interfaces one to one; the
/// RPC layer maps them to varlink error names in one place
/// (`RiegelRPC/ErrorMapping.swift`), and a test checks that every error the
/// IDL declares has exactly one case here.
/// - Important: no associated value may carry a secret (password, code, token,
///   full phone number): these values end up in replies and logs.
public enum RiegelError: Error, Sendable, Hashable {
    // io.riegel.Auth
    case invalidCredentials
    case accountLocked(until: Instant?)
    case tooManyAttempts(retryAfterSeconds: Int)
    case weakPassword(reasons: [String])
    case usernameTaken
    /// What is wrong with the number (an ``InvalidPhoneNumber`` description, never the number).
    case invalidPhoneNumber(reason: String)
    case sessionExpired(SessionEndReason)
    case challengeExpired
    case invalidCode(attemptsLeft: Int)
    case resendTooSoon(retryAfterSeconds: Int)
    case smsUnavailable
    case overloaded(retryAfterSeconds: Int)
    case stepUpRequired
    case secondFactorNotEnrolled
    case reauthenticationRequired
    case invalidToken
    case invalidSignature
    case unknownResourceClass(String)
    /// `resource_id` too long, empty, or with a control/format character.
    case invalidResourceID(reason: String)
    case invalidUsername(reason: String)
    case invalidEmail(reason: String)
    case noSuchDevice
    case noSuchAccount
    case invalidPublicKey(reason: String)
    case invalidDeviceLabel(reason: String)
    /// No factor with this id (or of this kind) belongs to the account.
    case noSuchFactor
    /// The account already has an authenticator app with this label.
    case factorLabelTaken
    /// The factor has no enrolment waiting for its first code.
    case noPendingEnrolment
    /// A code of the wrong form (length, characters); nothing was counted.
    case malformedCode(reason: String)
    /// A code already accepted once (TOTP replay); nothing was counted.
    case codeAlreadyUsed
    /// ResendChallenge for a challenge whose factor sends nothing (TOTP, recovery code).
    case challengeNotResendable
    /// A factor label that is empty, too long or has control characters.
    case invalidFactorLabel(reason: String)
    // io.riegel.Admin
    case noSuchKey
    case invalidPasswordHash(reason: String)
    case keyInUse(inUse: Int)
    case keyActive
    case credentialUnavailable(credential: String, reason: String)
    case masterKeyRotationRefused(reason: String)
    case rotationInProgress(purpose: KeyPurpose)
    // io.riegel.Audit (Query) and io.riegel.Admin (ListAccounts): a parameter out of range or malformed
    case invalidFilter(reason: String)
    /// The stored audit chain does not verify, so riegeld signs nothing over
    /// it (an export stops before its head): where, and what is wrong.
    case auditChainBroken(firstBadSeq: Int64, problem: String)
    // every interface: the database cannot be written or read (disk full,
    // read-only or failing file system); the call changed nothing
    case storageUnavailable
}

/// Why a session is no longer valid.
public enum SessionEndReason: String, Sendable, Hashable, Codable, CaseIterable {
    /// No activity for longer than the idle timeout.
    case idle
    /// Older than the absolute lifetime, whatever its activity.
    case absolute
    /// Ended on purpose: logout, password reset, admin action.
    case revoked
    /// Not known (for example removed by the sweeper).
    case unknown
}
