import Varlink

/// The reply of `io.riegel.Auth.Register`.
public struct RegisterReply: Codable, Sendable, Equatable {
    /// The `user_id` field.
    public let userId: String
    /// The `challenge` field.
    public let challenge: Challenge?

    /// Creates the value (optional fields default to absent).
    public init(userId: String, challenge: Challenge? = nil) {
        self.userId = userId
        self.challenge = challenge
    }

    enum CodingKeys: String, CodingKey {
        case userId = "user_id"
        case challenge
    }
}

/// The reply of `io.riegel.Auth.Login`.
public struct LoginReply: Codable, Sendable, Equatable {
    /// The `session` field.
    public let session: NewSession?
    /// The `challenge` field.
    public let challenge: Challenge?
    /// The `device_token` field.
    public let deviceToken: String?

    /// Creates the value (optional fields default to absent).
    public init(session: NewSession? = nil, challenge: Challenge? = nil, deviceToken: String? = nil) {
        self.session = session
        self.challenge = challenge
        self.deviceToken = deviceToken
    }

    enum CodingKeys: String, CodingKey {
        case session
        case challenge
        case deviceToken = "device_token"
    }
}

/// The reply of `io.riegel.Auth.VerifyChallenge`.
public struct VerifyChallengeReply: Codable, Sendable, Equatable {
    /// The new or renewed session (see above for when it is absent)
    public let session: NewSession?
    /// With remember_device: the browser's token, shown once
    public let deviceToken: String?
    /// Set for enroll_phone: what the enrolment did
    public let phoneEnrolment: PhoneEnrolment?

    /// Creates the value (optional fields default to absent).
    public init(session: NewSession? = nil, deviceToken: String? = nil, phoneEnrolment: PhoneEnrolment? = nil) {
        self.session = session
        self.deviceToken = deviceToken
        self.phoneEnrolment = phoneEnrolment
    }

    enum CodingKeys: String, CodingKey {
        case session
        case deviceToken = "device_token"
        case phoneEnrolment = "phone_enrolment"
    }
}

/// The reply of `io.riegel.Auth.ResendChallenge`.
public struct ResendChallengeReply: Codable, Sendable, Equatable {
    /// The `challenge` field.
    public let challenge: Challenge

    /// Creates the value.
    public init(challenge: Challenge) {
        self.challenge = challenge
    }
}

/// The reply of `io.riegel.Auth.CheckSession`.
public struct CheckSessionReply: Codable, Sendable, Equatable {
    /// The `info` field.
    public let info: SessionInfo

    /// Creates the value.
    public init(info: SessionInfo) {
        self.info = info
    }
}

/// The reply of `io.riegel.Auth.LogoutOtherSessions`.
public struct LogoutOtherSessionsReply: Codable, Sendable, Equatable {
    /// The `ended` field.
    public let ended: Int

    /// Creates the value.
    public init(ended: Int) {
        self.ended = ended
    }
}

/// The reply of `io.riegel.Auth.ListSessions`.
public struct ListSessionsReply: Codable, Sendable, Equatable {
    /// The `sessions` field.
    public let sessions: [SessionInfo]

    /// Creates the value.
    public init(sessions: [SessionInfo]) {
        self.sessions = sessions
    }
}

/// The reply of `io.riegel.Auth.EnrollPhone`.
public struct EnrollPhoneReply: Codable, Sendable, Equatable {
    /// The `challenge` field.
    public let challenge: Challenge

    /// Creates the value.
    public init(challenge: Challenge) {
        self.challenge = challenge
    }
}

/// The reply of `io.riegel.Auth.ListFactors`.
public struct ListFactorsReply: Codable, Sendable, Equatable {
    /// The `factors` field.
    public let factors: [Factor]

    /// Creates the value.
    public init(factors: [Factor]) {
        self.factors = factors
    }
}

/// The reply of `io.riegel.Auth.EnrollFactor`.
public struct EnrollFactorReply: Codable, Sendable, Equatable {
    /// Names the factor in ConfirmFactor and RemoveFactor
    public let factorId: String
    /// Totp: the shared secret, base32, shown once
    public let secret: String?
    /// Totp: otpauth://totp/ISSUER:USERNAME?secret=...&issuer=ISSUER&..., shown once
    public let uri: String?
    /// Recovery_code: the codes (xxxxx-xxxxx), shown once
    public let recoveryCodes: [String]?

    /// Creates the value (optional fields default to absent).
    public init(factorId: String, secret: String? = nil, uri: String? = nil, recoveryCodes: [String]? = nil) {
        self.factorId = factorId
        self.secret = secret
        self.uri = uri
        self.recoveryCodes = recoveryCodes
    }

    enum CodingKeys: String, CodingKey {
        case factorId = "factor_id"
        case secret
        case uri
        case recoveryCodes = "recovery_codes"
    }
}

/// The reply of `io.riegel.Auth.ConfirmFactor`.
public struct ConfirmFactorReply: Codable, Sendable, Equatable {
    /// The renewed session
    public let session: NewSession

    /// Creates the value.
    public init(session: NewSession) {
        self.session = session
    }
}

/// The reply of `io.riegel.Auth.BeginChallenge`.
public struct BeginChallengeReply: Codable, Sendable, Equatable {
    /// The `challenge` field.
    public let challenge: Challenge

    /// Creates the value.
    public init(challenge: Challenge) {
        self.challenge = challenge
    }
}

/// The reply of `io.riegel.Auth.AuthorizeAccess`.
public struct AuthorizeAccessReply: Codable, Sendable, Equatable {
    /// The `granted` field.
    public let granted: Bool

    /// Creates the value.
    public init(granted: Bool) {
        self.granted = granted
    }
}

/// The reply of `io.riegel.Auth.BeginStepUp`.
public struct BeginStepUpReply: Codable, Sendable, Equatable {
    /// The `challenge` field.
    public let challenge: Challenge

    /// Creates the value.
    public init(challenge: Challenge) {
        self.challenge = challenge
    }
}

/// The reply of `io.riegel.Auth.ListDevices`.
public struct ListDevicesReply: Codable, Sendable, Equatable {
    /// The `devices` field.
    public let devices: [Device]

    /// Creates the value.
    public init(devices: [Device]) {
        self.devices = devices
    }
}

/// The reply of `io.riegel.Auth.EnrollDeviceKey`.
public struct EnrollDeviceKeyReply: Codable, Sendable, Equatable {
    /// The `device_id` field.
    public let deviceId: String

    /// Creates the value.
    public init(deviceId: String) {
        self.deviceId = deviceId
    }

    enum CodingKeys: String, CodingKey {
        case deviceId = "device_id"
    }
}

/// The reply of `io.riegel.Auth.BeginDeviceLogin`.
public struct BeginDeviceLoginReply: Codable, Sendable, Equatable {
    /// The `nonce` field.
    public let nonce: String
    /// The `expires_at` field.
    public let expiresAt: String

    /// Creates the value.
    public init(nonce: String, expiresAt: String) {
        self.nonce = nonce
        self.expiresAt = expiresAt
    }

    enum CodingKeys: String, CodingKey {
        case nonce
        case expiresAt = "expires_at"
    }
}

/// The reply of `io.riegel.Auth.FinishDeviceLogin`.
public struct FinishDeviceLoginReply: Codable, Sendable, Equatable {
    /// The `session` field.
    public let session: NewSession

    /// Creates the value.
    public init(session: NewSession) {
        self.session = session
    }
}

/// The reply of `io.riegel.Auth.BeginPasswordReset`.
public struct BeginPasswordResetReply: Codable, Sendable, Equatable {
    /// The `reset_token` field.
    public let resetToken: String?
    /// The `email` field.
    public let email: String?

    /// Creates the value (optional fields default to absent).
    public init(resetToken: String? = nil, email: String? = nil) {
        self.resetToken = resetToken
        self.email = email
    }

    enum CodingKeys: String, CodingKey {
        case resetToken = "reset_token"
        case email
    }
}

/// The reply of `io.riegel.Auth.CompletePasswordReset`.
public struct CompletePasswordResetReply: Codable, Sendable, Equatable {
    /// The `challenge` field.
    public let challenge: Challenge?

    /// Creates the value (optional fields default to absent).
    public init(challenge: Challenge? = nil) {
        self.challenge = challenge
    }
}

/// The reply of `io.riegel.Auth.RecoverUsername`.
public struct RecoverUsernameReply: Codable, Sendable, Equatable {
    /// The `usernames` field.
    public let usernames: [String]

    /// Creates the value.
    public init(usernames: [String]) {
        self.usernames = usernames
    }
}

/// The reply of `io.riegel.Auth.IssueActivationCode`.
public struct IssueActivationCodeReply: Codable, Sendable, Equatable {
    /// The `code` field.
    public let code: String
    /// The `expires_at` field.
    public let expiresAt: String

    /// Creates the value.
    public init(code: String, expiresAt: String) {
        self.code = code
        self.expiresAt = expiresAt
    }

    enum CodingKeys: String, CodingKey {
        case code
        case expiresAt = "expires_at"
    }
}

/// The reply of `io.riegel.Auth.RedeemActivationCode`.
public struct RedeemActivationCodeReply: Codable, Sendable, Equatable {
    /// The `subject` field.
    public let subject: String

    /// Creates the value.
    public init(subject: String) {
        self.subject = subject
    }
}
