/// The methods of `io.riegel.Auth`, one async method per IDL method, over the
/// shared connections of a ``RiegelClient`` (get it from ``RiegelClient/auth``).
public struct AuthClient: Sendable {
    let pool: RiegelConnectionPool

    /// With a phone number, the reply carries an SMS challenge (purpose
    /// enroll_phone); completing it with VerifyChallenge verifies the number and
    /// turns the second factor on. If no SMS can be sent, nothing is created and
    /// the error is SmsUnavailable. Without one, the account starts with password
    /// only and EnrollPhone adds the number later.
    ///
    /// - Parameters:
    ///   - username: 3 to 64 characters: letters, digits and . _ - @ (InvalidUsername otherwise); unique ignoring case (UsernameTaken)
    ///   - password: checked against the password policy (WeakPassword with reasons)
    ///   - email: for password reset mails and RecoverUsername; stored encrypted
    ///   - phone: a mobile number, international (+49 ...) or national in the default country; turns the second factor on once its code is verified
    ///   - client: the end user's request
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func register(username: String, password: String, email: String? = nil, phone: String? = nil, client: ClientInfo? = nil) async throws -> RegisterReply {
        try await pool.call(RegisterRequest(username: username, password: password, email: email, phone: phone, client: client))
    }

    /// Replaces the password of the session's account: current_password must be
    /// right (InvalidCredentials), new_password must pass the policy
    /// (WeakPassword). Every other session of the account ends.
    ///
    /// - Parameters:
    ///   - token: the session's token (from ``NewSession``)
    ///   - currentPassword: the account's current password
    ///   - newPassword: the password that replaces it (checked against the policy)
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func changePassword(token: String, currentPassword: String, newPassword: String) async throws {
        _ = try await pool.call(ChangePasswordRequest(token: token, currentPassword: currentPassword, newPassword: newPassword))
    }

    /// Ends the account: credentials, sessions, devices and personal data go;
    /// audit events stay, pseudonymised.
    ///
    /// - Parameters:
    ///   - token: the session's token (from ``NewSession``)
    ///   - password: the account's current password
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func deleteAccount(token: String, password: String) async throws {
        _ = try await pool.call(DeleteAccountRequest(token: token, password: password))
    }

    /// Either a session (no second factor needed: not enrolled, or the device is
    /// trusted) or a challenge to finish with VerifyChallenge: of the default
    /// factor (an authenticator app if enrolled, else SMS); its factors list the
    /// others, and BeginChallenge switches. A trusted
    /// device's token is rotated on use: the reply carries its successor, and
    /// the presented token stops working.
    ///
    /// - Parameters:
    ///   - username: as registered; case does not matter
    ///   - password: an unknown username and a wrong password both give InvalidCredentials
    ///   - deviceToken: the token of a remembered browser, if the portal holds one
    ///   - client: the end user's request
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func login(username: String, password: String, deviceToken: String? = nil, client: ClientInfo? = nil) async throws -> LoginReply {
        try await pool.call(LoginRequest(username: username, password: password, deviceToken: deviceToken, client: client))
    }

    /// Finishes any challenge. For login it returns the new session. For
    /// step_up and enroll_phone it raises the assurance of the session the
    /// challenge came from and renews that session's token (a privilege change
    /// renews the session's secret; its session_id stays): the reply carries the
    /// new token and the old one stops working. An enroll_phone challenge from
    /// Register has no session: none is returned, the user logs in next. For
    /// password_reset it completes the reset (no session).
    /// remember_device asks for a trusted-device token.
    /// An enroll_phone challenge always answers phone_enrolment on success, so
    /// the caller knows the number changed even when the session it came from
    /// ended with the devices the change revoked (session absent then). If that
    /// session ended before the code came (logout, a replayed device token),
    /// nothing changes and the error is ChallengeExpired.
    ///
    /// - Parameters:
    ///   - challengeId: from the Challenge
    ///   - code: the digits the user received by SMS or the app shows, or a recovery code; a TOTP code not of 6 digits or a recovery code not of 10 characters is MalformedCode (not counted); a TOTP code accepted before is CodeAlreadyUsed (not counted)
    ///   - rememberDevice: login only: also return a device_token that skips the code next time
    ///   - deviceLabel: the trusted browser's label in ListDevices, e.g. "Firefox on Linux"
    ///   - client: the end user's request
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func verifyChallenge(challengeId: String, code: String, rememberDevice: Bool? = nil, deviceLabel: String? = nil, client: ClientInfo? = nil) async throws -> VerifyChallengeReply {
        try await pool.call(VerifyChallengeRequest(challengeId: challengeId, code: code, rememberDevice: rememberDevice, deviceLabel: deviceLabel, client: client))
    }

    /// Sends a fresh code; the previous code of this challenge stops working.
    /// A challenge of a factor that sends nothing is ChallengeNotResendable.
    ///
    /// - Parameters:
    ///   - challengeId: from the ``Challenge``
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func resendChallenge(challengeId: String) async throws -> ResendChallengeReply {
        try await pool.call(ResendChallengeRequest(challengeId: challengeId))
    }

    /// touch=false checks without counting as user activity (background polling).
    ///
    /// - Parameters:
    ///   - token: the session's token (from ``NewSession``)
    ///   - touch: false: check without counting as user activity (background polling)
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func checkSession(token: String, touch: Bool? = nil) async throws -> CheckSessionReply {
        try await pool.call(CheckSessionRequest(token: token, touch: touch))
    }

    /// Ends this session; its token stops working at once.
    ///
    /// - Parameters:
    ///   - token: the session's token (from ``NewSession``)
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func logout(token: String) async throws {
        _ = try await pool.call(LogoutRequest(token: token))
    }

    /// Ends every other session of the account; ended counts them.
    ///
    /// - Parameters:
    ///   - token: the session's token (from ``NewSession``)
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func logoutOtherSessions(token: String) async throws -> LogoutOtherSessionsReply {
        try await pool.call(LogoutOtherSessionsRequest(token: token))
    }

    /// The account's live sessions, this one included.
    ///
    /// - Parameters:
    ///   - token: the session's token (from ``NewSession``)
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func listSessions(token: String) async throws -> ListSessionsReply {
        try await pool.call(ListSessionsRequest(token: token))
    }

    /// Sends a code to the new number; VerifyChallenge completes the enrolment.
    /// The phone is the factor "sms" in ListFactors.
    /// With a second factor already on (a change of number), and for
    /// DisableSecondFactor and EnrollDeviceKey: the session must have proven the
    /// second factor by an SMS code or an app key within the last 10 minutes.
    /// A session proven only by a trusted browser (device_token) gets
    /// StepUpRequired: BeginStepUp, VerifyChallenge, then retry.
    ///
    /// - Parameters:
    ///   - token: the session's token (from ``NewSession``)
    ///   - phone: the mobile number, international (+49 ...) or national in the default country
    ///   - password: the account's current password
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func enrollPhone(token: String, phone: String, password: String) async throws -> EnrollPhoneReply {
        try await pool.call(EnrollPhoneRequest(token: token, phone: phone, password: password))
    }

    /// Turns the second factor off and removes every factor: the phone, the
    /// authenticator apps and the recovery codes (password and a fresh second
    /// factor needed, see above); every trusted device is revoked, the user's
    /// other sessions end, and this one drops to password, or ends if a trusted
    /// device opened it.
    ///
    /// - Parameters:
    ///   - token: the session's token (from ``NewSession``)
    ///   - password: the account's current password
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func disableSecondFactor(token: String, password: String) async throws {
        _ = try await pool.call(DisableSecondFactorRequest(token: token, password: password))
    }

    /// The session user's second factors: kind, label, when enrolled and last
    /// used, recovery codes left. Never a secret.
    ///
    /// - Parameters:
    ///   - token: the session's token (from ``NewSession``)
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func listFactors(token: String) async throws -> ListFactorsReply {
        try await pool.call(ListFactorsRequest(token: token))
    }

    /// Starts enrolling a factor. Always needs the password (InvalidCredentials);
    /// with a second factor already on, also a session that proved an actual
    /// factor (SMS, TOTP or recovery code, app key) within 10 minutes
    /// (StepUpRequired otherwise, as for EnrollPhone).
    /// totp: returns the secret and its otpauth:// URI (show it as a QR code);
    /// the app is used only after ConfirmFactor with its first code, within 10
    /// minutes. A label another app of the account has is FactorLabelTaken.
    /// recovery_code: returns a new set of codes, shown once; the old set stops
    /// working. Needs a second factor to back up (SecondFactorNotEnrolled).
    /// The phone is enrolled with EnrollPhone (kind sms: NoSuchFactor).
    ///
    /// - Parameters:
    ///   - token: the session enrolling
    ///   - password: the account's current password
    ///   - kind: totp or recovery_code
    ///   - label: totp: the app's name in ListFactors, e.g. "Phone"; default "Authenticator app"; 1 to 64 characters, no control characters
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func enrollFactor(token: String, password: String, kind: FactorKind, label: String? = nil) async throws -> EnrollFactorReply {
        try await pool.call(EnrollFactorRequest(token: token, password: password, kind: kind, label: label))
    }

    /// Finishes a totp enrolment with the first code the app shows. Unknown id:
    /// NoSuchFactor; nothing waiting (already confirmed, expired, a recovery set):
    /// NoPendingEnrolment; not 6 digits: MalformedCode (not counted); a wrong code
    /// is InvalidCode and counts against the account's second-factor lockout.
    /// Turning the second factor on this way ends the user's other sessions, as a
    /// phone's enrolment does. The session is raised to second_factor and renewed:
    /// the reply carries its new token, the old one stops working.
    ///
    /// - Parameters:
    ///   - token: the session that enrolled
    ///   - factorId: from EnrollFactor
    ///   - code: the code the app shows now
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func confirmFactor(token: String, factorId: String, code: String) async throws -> ConfirmFactorReply {
        try await pool.call(ConfirmFactorRequest(token: token, factorId: factorId, code: code))
    }

    /// Removes one factor (password and a fresh second factor needed, as for
    /// DisableSecondFactor). Removing the last phone or app turns the second
    /// factor off: the recovery codes go too, every trusted device is revoked,
    /// the user's other sessions end and this one drops to password, or ends if
    /// a trusted device opened it.
    ///
    /// - Parameters:
    ///   - token: the session asking
    ///   - factorId: from ListFactors ("sms" for the phone); NoSuchFactor if not one of the account's
    ///   - password: the account's current password
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func removeFactor(token: String, factorId: String, password: String) async throws {
        _ = try await pool.call(RemoveFactorRequest(token: token, factorId: factorId, password: password))
    }

    /// Answers a pending login, step_up or password_reset challenge with another
    /// factor of the account: a new challenge of that factor for the same
    /// purpose (an SMS is sent for sms). The first challenge stays valid until it
    /// expires; whichever is answered first completes. ChallengeExpired for a
    /// challenge that is over; NoSuchFactor for a factor the account does not
    /// have, or an enroll_phone challenge.
    ///
    /// - Parameters:
    ///   - challengeId: the pending challenge
    ///   - factor: the factor to answer with instead
    ///   - client: the end user's request
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func beginChallenge(challengeId: String, factor: FactorKind, client: ClientInfo? = nil) async throws -> BeginChallengeReply {
        try await pool.call(BeginChallengeRequest(challengeId: challengeId, factor: factor, client: client))
    }

    /// Asks whether this session may open a resource of the given class (for
    /// example "health_document"). Denials come as errors: StepUpRequired,
    /// SecondFactorNotEnrolled, UnknownResourceClass. Every decision is an audit
    /// event (access.granted / access.denied) with the class and resource_id.
    /// The call counts as session activity. resource_id: the portal's id of the
    /// document, at most 256 bytes, no control characters (else InvalidResourceID).
    ///
    /// - Parameters:
    ///   - token: the session asking
    ///   - resourceClass: a class from [resource_class.*], e.g. "health_document"
    ///   - resourceId: the portal's id of the resource, for the audit trail
    ///   - client: the end user's request
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func authorizeAccess(token: String, resourceClass: String, resourceId: String? = nil, client: ClientInfo? = nil) async throws -> AuthorizeAccessReply {
        try await pool.call(AuthorizeAccessRequest(token: token, resourceClass: resourceClass, resourceId: resourceId, client: client))
    }

    /// Starts a challenge to prove the second factor again in this session
    /// (purpose step_up): of the given factor, else the default one (an app if
    /// enrolled, else SMS); VerifyChallenge then raises the session's assurance.
    /// SecondFactorNotEnrolled without any factor; NoSuchFactor for a factor the
    /// account does not have.
    ///
    /// - Parameters:
    ///   - token: the session to step up
    ///   - factor: the factor to answer with (default: the account's default factor)
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func beginStepUp(token: String, factor: FactorKind? = nil) async throws -> BeginStepUpReply {
        try await pool.call(BeginStepUpRequest(token: token, factor: factor))
    }

    /// The account's trusted browsers and app keys that are still active.
    ///
    /// - Parameters:
    ///   - token: the session's token (from ``NewSession``)
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func listDevices(token: String) async throws -> ListDevicesReply {
        try await pool.call(ListDevicesRequest(token: token))
    }

    /// Stops trusting one of the account's devices (NoSuchDevice otherwise); its
    /// sessions end.
    ///
    /// - Parameters:
    ///   - token: the session's token (from ``NewSession``)
    ///   - deviceId: from ``Device`` or ``EnrollDeviceKeyReply``
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func revokeDevice(token: String, deviceId: String) async throws {
        _ = try await pool.call(RevokeDeviceRequest(token: token, deviceId: deviceId))
    }

    /// App devices: a P-256 public key (SubjectPublicKeyInfo DER, base64) whose
    /// private half stays in the phone's secure hardware behind biometrics.
    /// Trusts an app key for this account (a fresh second factor is needed, see
    /// EnrollPhone); label names it in ListDevices.
    ///
    /// - Parameters:
    ///   - token: the session's token (from ``NewSession``)
    ///   - publicKey: the P-256 public key, SubjectPublicKeyInfo DER, base64
    ///   - label: its name in ``AuthClient/listDevices(token:)``
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func enrollDeviceKey(token: String, publicKey: String, label: String) async throws -> EnrollDeviceKeyReply {
        try await pool.call(EnrollDeviceKeyRequest(token: token, publicKey: publicKey, label: label))
    }

    /// A one-time nonce for the app to sign, valid until expires_at (a few
    /// minutes). Every well-formed device_id gets one, known or not, so ids
    /// cannot be probed; only an id riegeld never issues is NoSuchDevice.
    ///
    /// - Parameters:
    ///   - deviceId: from ``Device`` or ``EnrollDeviceKeyReply``
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func beginDeviceLogin(deviceId: String) async throws -> BeginDeviceLoginReply {
        try await pool.call(BeginDeviceLoginRequest(deviceId: deviceId))
    }

    /// signature: ECDSA P-256 with SHA-256 over the UTF-8 bytes of the nonce
    /// string exactly as BeginDeviceLogin returned it; DER-encoded, base64.
    ///
    /// - Parameters:
    ///   - deviceId: from ``Device`` or ``EnrollDeviceKeyReply``
    ///   - nonce: exactly as ``AuthClient/beginDeviceLogin(deviceId:)`` returned it
    ///   - signature: ECDSA P-256 with SHA-256 over the nonce's UTF-8 bytes; DER, base64
    ///   - client: the end user's request
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func finishDeviceLogin(deviceId: String, nonce: String, signature: String, client: ClientInfo? = nil) async throws -> FinishDeviceLoginReply {
        try await pool.call(FinishDeviceLoginRequest(deviceId: deviceId, nonce: nonce, signature: signature, client: client))
    }

    /// For the portal to mail a reset link. An unknown user gives the same shape
    /// (no token, no email) in the same time.
    ///
    /// - Parameters:
    ///   - username: the account's username
    ///   - client: the end user's request
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func beginPasswordReset(username: String, client: ClientInfo? = nil) async throws -> BeginPasswordResetReply {
        try await pool.call(BeginPasswordResetRequest(username: username, client: client))
    }

    /// With the second factor enrolled, the reset also needs an SMS challenge:
    /// the reply carries it and the reset completes (and the reset token is spent)
    /// only when VerifyChallenge succeeds.
    ///
    /// - Parameters:
    ///   - resetToken: from ``BeginPasswordResetReply``
    ///   - newPassword: the password that replaces it (checked against the policy)
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func completePasswordReset(resetToken: String, newPassword: String) async throws -> CompletePasswordResetReply {
        try await pool.call(CompletePasswordResetRequest(resetToken: resetToken, newPassword: newPassword))
    }

    /// The usernames registered with this e-mail address, for the portal to mail
    /// (an unknown address gives an empty list).
    ///
    /// - Parameters:
    ///   - email: the e-mail address
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func recoverUsername(email: String) async throws -> RecoverUsernameReply {
        try await pool.call(RecoverUsernameRequest(email: email))
    }

    /// Out-of-band activation codes (sent by letter), for example to prove a
    /// contract number. Valid for 90 days unless configured otherwise. An unknown
    /// user_id is NoSuchAccount.
    ///
    /// - Parameters:
    ///   - userId: the account's id
    ///   - subject: what the code proves, e.g. a contract number
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func issueActivationCode(userId: String, subject: String) async throws -> IssueActivationCodeReply {
        try await pool.call(IssueActivationCodeRequest(userId: userId, subject: subject))
    }

    /// Spends a code issued to the session's account; subject is what it was
    /// issued for. A wrong code is InvalidCode (counted like a failed login:
    /// too many give TooManyAttempts).
    ///
    /// - Parameters:
    ///   - token: the session's token (from ``NewSession``)
    ///   - code: the code as the user typed it
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func redeemActivationCode(token: String, code: String) async throws -> RedeemActivationCodeReply {
        try await pool.call(RedeemActivationCodeRequest(token: token, code: code))
    }
}
