import Varlink

/// Every way a ``RiegelClient`` call fails: one case per error that riegeld's
/// interfaces (`io.riegel.Auth`, `io.riegel.Admin`, `io.riegel.Audit`) and
/// `org.varlink.service` declare, with the error's parameters, plus the
/// client's own failures (``connectionFailed(reason:)``,
/// ``malformedReply(method:detail:)``) and ``unknownError(name:parameters:)``
/// for an error this client does not know (a newer riegeld).
///
/// An error declared by several interfaces with the same parameters
/// (`NoSuchAccount` by Auth and Admin, `InvalidFilter` by Admin and Audit,
/// `StorageUnavailable` by all three) is one case, whichever interface
/// answered it. The wire names map to cases in one place,
/// `RiegelClientError+Varlink.swift`. A cancelled task's call throws
/// `CancellationError`, not this type.
public enum RiegelClientError: Error, Sendable, Equatable {
    /// Wrong username or password (the same answer for both, in the same time).
    ///
    /// Declared by io.riegel.Auth.
    case invalidCredentials
    /// Locked by failures or by an admin; until says when it ends, if known.
    ///
    /// Declared by io.riegel.Auth.
    case accountLocked(until: String?)
    /// Too many recent failures (or SMS sent): retry after that many seconds.
    ///
    /// Declared by io.riegel.Auth.
    case tooManyAttempts(retryAfter: Int)
    /// The password fails the policy; reasons name each rule, e.g. "too_short".
    ///
    /// Declared by io.riegel.Auth.
    case weakPassword(reasons: [String])
    /// Another account has this username (ignoring case).
    ///
    /// Declared by io.riegel.Auth, io.riegel.Admin.
    case usernameTaken
    /// The phone number cannot receive codes; reason says why in English (never
    /// the number), e.g. "numbers with country code +1 are not allowed".
    ///
    /// Declared by io.riegel.Auth.
    case invalidPhoneNumber(reason: String?)
    /// The token names no live session: idle or absolute timeout, revoked
    /// (logout, password change, device revoked), or unknown.
    ///
    /// Declared by io.riegel.Auth.
    case sessionExpired(reason: SessionExpiredReason)
    /// The challenge is over: expired, used, failed, or its session ended.
    ///
    /// Declared by io.riegel.Auth.
    case challengeExpired
    /// Wrong code; attempts_left before the challenge fails (0: it failed).
    ///
    /// Declared by io.riegel.Auth.
    case invalidCode(attemptsLeft: Int)
    /// A code was sent moments ago; retry after that many seconds.
    ///
    /// Declared by io.riegel.Auth.
    case resendTooSoon(retryAfter: Int)
    /// No SMS gateway took the message; nothing that needed it was done.
    ///
    /// Declared by io.riegel.Auth.
    case smsUnavailable
    /// the password-hashing pool is full; retry after a moment
    ///
    /// Declared by io.riegel.Auth.
    case overloaded(retryAfter: Int)
    /// The session must prove the second factor again: BeginStepUp, then retry.
    ///
    /// Declared by io.riegel.Auth.
    case stepUpRequired
    /// The account has no second factor, and the call needs one.
    ///
    /// Declared by io.riegel.Auth.
    case secondFactorNotEnrolled
    /// Reserved for calls that need a fresh login; this version of riegeld
    /// does not return it (StepUpRequired asks for a fresh second factor).
    ///
    /// Declared by io.riegel.Auth.
    case reauthenticationRequired
    /// A session or reset token riegeld never issued (or a spent reset token).
    ///
    /// Declared by io.riegel.Auth.
    case invalidToken
    /// A device-key login whose signature does not verify (or an unknown device).
    ///
    /// Declared by io.riegel.Auth.
    case invalidSignature
    /// AuthorizeAccess with a class that is not configured.
    ///
    /// Declared by io.riegel.Auth.
    case unknownResourceClass(resourceClass: String)
    /// resource_id empty, longer than 256 bytes, or with a control, format or
    /// separator character; nothing was decided or recorded
    ///
    /// Declared by io.riegel.Auth.
    case invalidResourceID(reason: String)
    /// username outside the documented length or character set
    ///
    /// Declared by io.riegel.Auth, io.riegel.Admin.
    case invalidUsername(reason: String)
    /// e-mail address that is not one (no @, no domain with a dot, spaces, too long)
    ///
    /// Declared by io.riegel.Auth, io.riegel.Admin.
    case invalidEmail(reason: String)
    /// No device with this id belongs to the account.
    ///
    /// Declared by io.riegel.Auth.
    case noSuchDevice
    /// No account with this id or username.
    ///
    /// Declared by io.riegel.Auth, io.riegel.Admin.
    case noSuchAccount
    /// EnrollDeviceKey: not base64, or not the DER SubjectPublicKeyInfo of a P-256 key
    ///
    /// Declared by io.riegel.Auth.
    case invalidPublicKey(reason: String)
    /// device_label or label: empty, over 64 characters, or with control or
    /// formatting characters
    ///
    /// Declared by io.riegel.Auth.
    case invalidDeviceLabel(reason: String)
    /// No factor with this id (or of this kind) belongs to the account.
    ///
    /// Declared by io.riegel.Auth.
    case noSuchFactor
    /// Another authenticator app of the account has this label.
    ///
    /// Declared by io.riegel.Auth.
    case factorLabelTaken
    /// ConfirmFactor: the factor has no enrolment waiting for its first code
    /// (confirmed already, expired after 10 minutes, or a recovery set).
    ///
    /// Declared by io.riegel.Auth.
    case noPendingEnrolment
    /// The code cannot be one (wrong length, not digits); nothing was counted.
    ///
    /// Declared by io.riegel.Auth.
    case malformedCode(reason: String)
    /// An authenticator code accepted before (the same or a later time step was
    /// used already); nothing was counted.
    ///
    /// Declared by io.riegel.Auth.
    case codeAlreadyUsed
    /// ResendChallenge for a challenge whose factor sends nothing (totp,
    /// recovery_code): the code comes from the app or the user's list.
    ///
    /// Declared by io.riegel.Auth.
    case challengeNotResendable
    /// A factor label that is empty, over 64 characters, or has control or
    /// formatting characters.
    ///
    /// Declared by io.riegel.Auth.
    case invalidFactorLabel(reason: String)
    /// riegeld cannot write (or read) its database: the disk is full, or the file
    /// system is read-only or failing. Nothing changed; retry once an operator has
    /// made room (riegeld resumes by itself, no restart needed).
    ///
    /// Declared by io.riegel.Auth, io.riegel.Admin, io.riegel.Audit.
    case storageUnavailable
    /// not an accepted scheme, malformed, or costs outside the limits
    ///
    /// Declared by io.riegel.Admin.
    case invalidPasswordHash(reason: String)
    /// RetireKey: no key with this id.
    ///
    /// Declared by io.riegel.Admin.
    case noSuchKey
    /// RetireKey: in_use stored rows still reference the key; let its re-wrap
    /// finish (and short-lived rows expire), then retry.
    ///
    /// Declared by io.riegel.Admin.
    case keyInUse(inUse: Int)
    /// RetireKey: the active key of its purpose; rotate first.
    ///
    /// Declared by io.riegel.Admin.
    case keyActive
    /// The new master key cannot be used; nothing changed. reason: invalid_name,
    /// no_credentials_directory, missing, not_regular, unreadable, malformed,
    /// too_permissive, wrong_owner.
    ///
    /// Declared by io.riegel.Admin.
    case credentialUnavailable(credential: String, reason: String)
    /// reason: same_key (the key in use), development_key_file (riegeld runs on
    /// <state>/master.key, which rotation does not replace). Nothing changed.
    ///
    /// Declared by io.riegel.Admin.
    case masterKeyRotationRefused(reason: String)
    /// a re-wrap of this purpose runs; rotate again once it has finished
    ///
    /// Declared by io.riegel.Admin.
    case rotationInProgress(purpose: KeyPurpose)
    /// a ListAccounts parameter is out of range or malformed (the reason says which)
    ///
    /// Declared by io.riegel.Admin, io.riegel.Audit.
    case invalidFilter(reason: String)
    /// The stored audit chain does not verify at first_bad_seq, so riegeld signs
    /// nothing over it; problem says what is wrong. Run Verify, then investigate.
    ///
    /// Declared by io.riegel.Audit.
    case chainBroken(firstBadSeq: Int, problem: String)
    /// The requested interface was not found.
    ///
    /// Declared by org.varlink.service.
    case interfaceNotFound(interface: String)
    /// The requested method was not found
    ///
    /// Declared by org.varlink.service.
    case methodNotFound(method: String)
    /// The interface defines the requested method, but the service does not
    /// implement it.
    ///
    /// Declared by org.varlink.service.
    case methodNotImplemented(method: String)
    /// One of the passed parameters is invalid.
    ///
    /// Declared by org.varlink.service.
    case invalidParameter(parameter: String)
    /// Client is denied access
    ///
    /// Declared by org.varlink.service.
    case permissionDenied
    /// Method is expected to be called with 'more' set to true, but wasn't
    ///
    /// Declared by org.varlink.service.
    case expectedMore

    // The client's own failures.

    /// The socket could not be reached, or the connection broke before the
    /// reply came (riegeld stopped, or closed the connection), or the client
    /// was closed. Whether a call that was sent took effect is unknown: retry
    /// only what is safe to repeat.
    case connectionFailed(reason: String)
    /// riegeld answered with a reply this client cannot decode (a required
    /// field missing or of another type): the client and daemon disagree on
    /// the interface.
    case malformedReply(method: String, detail: String)
    /// An error reply this client does not know (its qualified name and its
    /// parameters as sent), or a known one whose parameters do not fit.
    case unknownError(name: String, parameters: [String: JSONValue])
}

extension RiegelClientError: CustomStringConvertible {
    /// The wire name and parameters for declared errors, the reason for the others.
    public var description: String {
        switch self {
        case .connectionFailed(let reason): return "connection failed: \(reason)"
        case .malformedReply(let method, let detail): return "malformed reply to \(method): \(detail)"
        case .unknownError(let name, let parameters):
            return parameters.isEmpty ? name : "\(name) \(JSONValue.object(parameters))"
        default:
            guard let (name, parameters) = declaredError else { return "RiegelClientError" }
            return parameters.isEmpty ? name : "\(name) \(JSONValue.object(parameters))"
        }
    }
}
