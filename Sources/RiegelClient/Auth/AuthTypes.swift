import Varlink

/// What the portal knows about the end user's request: recorded in audit
/// events and session lists, and the key of the per-client throttle.
public struct ClientInfo: Codable, Sendable, Equatable {
    /// The end user's IP address as the portal saw it (IPv4 or IPv6 text)
    public var ip: String?
    /// The end user's browser or app User-Agent, as sent
    public var userAgent: String?
    /// Preferred language of messages to this user, e.g. "de", "en"
    public var language: String?

    /// Creates the value (optional fields default to absent).
    public init(ip: String? = nil, userAgent: String? = nil, language: String? = nil) {
        self.ip = ip
        self.userAgent = userAgent
        self.language = language
    }

    enum CodingKeys: String, CodingKey {
        case ip
        case userAgent = "user_agent"
        case language
    }
}

/// Assurance level of a session: "password" (one factor) or "second_factor"
/// (password plus an SMS, TOTP or recovery code, a trusted device, or a
/// device key).
public enum Assurance: RiegelOpenEnum {
    /// `password`
    case password
    /// `second_factor`
    case secondFactor
    /// A value this client does not know (sent by a newer riegeld), kept as sent.
    case unrecognized(String)

    /// The values this client knows, in IDL order.
    public static let knownCases: [Assurance] = [.password, .secondFactor]

    /// The case for a wire value; values this client does not know become ``unrecognized(_:)``.
    public init(rawValue: String) {
        switch rawValue {
        case "password": self = .password
        case "second_factor": self = .secondFactor
        default: self = .unrecognized(rawValue)
        }
    }

    /// The wire value.
    public var rawValue: String {
        switch self {
        case .password: "password"
        case .secondFactor: "second_factor"
        case .unrecognized(let value): value
        }
    }
}

/// A kind of second factor: a code by SMS to the phone on file, a code from
/// an authenticator app (TOTP, RFC 6238), or a single-use recovery code.
public enum FactorKind: RiegelOpenEnum {
    /// `sms`
    case sms
    /// `totp`
    case totp
    /// `recovery_code`
    case recoveryCode
    /// A value this client does not know (sent by a newer riegeld), kept as sent.
    case unrecognized(String)

    /// The values this client knows, in IDL order.
    public static let knownCases: [FactorKind] = [.sms, .totp, .recoveryCode]

    /// The case for a wire value; values this client does not know become ``unrecognized(_:)``.
    public init(rawValue: String) {
        switch rawValue {
        case "sms": self = .sms
        case "totp": self = .totp
        case "recovery_code": self = .recoveryCode
        default: self = .unrecognized(rawValue)
        }
    }

    /// The wire value.
    public var rawValue: String {
        switch self {
        case .sms: "sms"
        case .totp: "totp"
        case .recoveryCode: "recovery_code"
        case .unrecognized(let value): value
        }
    }
}

/// One of the account's second factors (ListFactors): never a secret.
public struct Factor: Codable, Sendable, Equatable {
    /// Names it in RemoveFactor; "sms" for the phone
    public var factorId: String
    /// What kind of factor it is
    public var kind: FactorKind
    /// The app's label as enrolled, the masked phone, or "recovery codes"
    public var label: String
    /// When it was enrolled (absent for a phone: not kept)
    public var createdAt: String?
    /// Its last accepted code, if known
    public var lastUsedAt: String?
    /// Recovery codes only: how many are left unused
    public var codesLeft: Int?

    /// Creates the value (optional fields default to absent).
    public init(factorId: String, kind: FactorKind, label: String, createdAt: String? = nil, lastUsedAt: String? = nil, codesLeft: Int? = nil) {
        self.factorId = factorId
        self.kind = kind
        self.label = label
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.codesLeft = codesLeft
    }

    enum CodingKeys: String, CodingKey {
        case factorId = "factor_id"
        case kind
        case label
        case createdAt = "created_at"
        case lastUsedAt = "last_used_at"
        case codesLeft = "codes_left"
    }
}

/// A session as CheckSession and ListSessions describe it (never its token).
public struct SessionInfo: Codable, Sendable, Equatable {
    /// Stable for the session's life, also across token renewals
    public var sessionId: String
    /// The account's random id (stable for the account's life)
    public var userId: String
    /// The username as registered (NFC)
    public var username: String
    /// What the session has proven: password only, or a second factor too
    public var assurance: Assurance
    /// When the password (or device key) login that opened the session happened
    public var authenticatedAt: String
    /// When the second factor was last proven in this session, if ever
    public var secondFactorAt: String?
    /// When the session ends without further activity (sliding)
    public var idleExpiresAt: String
    /// When the session ends whatever its activity (absolute lifetime)
    public var expiresAt: String

    /// Creates the value (optional fields default to absent).
    public init(sessionId: String, userId: String, username: String, assurance: Assurance, authenticatedAt: String, secondFactorAt: String? = nil, idleExpiresAt: String, expiresAt: String) {
        self.sessionId = sessionId
        self.userId = userId
        self.username = username
        self.assurance = assurance
        self.authenticatedAt = authenticatedAt
        self.secondFactorAt = secondFactorAt
        self.idleExpiresAt = idleExpiresAt
        self.expiresAt = expiresAt
    }

    enum CodingKeys: String, CodingKey {
        case sessionId = "session_id"
        case userId = "user_id"
        case username
        case assurance
        case authenticatedAt = "authenticated_at"
        case secondFactorAt = "second_factor_at"
        case idleExpiresAt = "idle_expires_at"
        case expiresAt = "expires_at"
    }
}

/// A new session: the token is shown once.
public struct NewSession: Codable, Sendable, Equatable {
    /// The bearer secret of the session (base64url); riegeld keeps only its
    /// digest, so it cannot be shown again
    public var token: String
    /// The session it opens
    public var info: SessionInfo

    /// Creates the value.
    public init(token: String, info: SessionInfo) {
        self.token = token
        self.info = info
    }
}

/// A challenge waiting for a second-factor code: by SMS, from an
/// authenticator app, or a recovery code (see factor).
public struct Challenge: Codable, Sendable, Equatable {
    /// Names the challenge in VerifyChallenge, ResendChallenge and BeginChallenge
    public var challengeId: String
    /// What a correct code completes
    public var purpose: Challenge.Purpose
    /// For an SMS challenge, e.g. "+49 *** *** **12"; absent for a factor that
    /// sends nothing (totp, recovery_code): there is no phone to show. Every SMS
    /// challenge still carries it, so clients written before other factors
    /// existed keep working for SMS.
    public var maskedPhone: String?
    /// After this the code no longer works (ChallengeExpired)
    public var expiresAt: String
    /// ResendChallenge before this is ResendTooSoon; for a factor that sends
    /// nothing, the same as expires_at (ResendChallenge: ChallengeNotResendable)
    public var resendAfter: String
    /// Wrong codes left before the challenge fails
    public var attemptsLeft: Int
    /// The factor whose code answers this challenge (absent means sms, for
    /// clients that only know SMS)
    public var factor: FactorKind?
    /// Login, step-up and reset: the factors the user can answer with, the
    /// default first; BeginChallenge switches (absent for an enrolment and
    /// in ResendChallenge's reply)
    public var factors: [FactorKind]?

    /// Creates the value (optional fields default to absent).
    public init(challengeId: String, purpose: Challenge.Purpose, maskedPhone: String? = nil, expiresAt: String, resendAfter: String, attemptsLeft: Int, factor: FactorKind? = nil, factors: [FactorKind]? = nil) {
        self.challengeId = challengeId
        self.purpose = purpose
        self.maskedPhone = maskedPhone
        self.expiresAt = expiresAt
        self.resendAfter = resendAfter
        self.attemptsLeft = attemptsLeft
        self.factor = factor
        self.factors = factors
    }

    enum CodingKeys: String, CodingKey {
        case challengeId = "challenge_id"
        case purpose
        case maskedPhone = "masked_phone"
        case expiresAt = "expires_at"
        case resendAfter = "resend_after"
        case attemptsLeft = "attempts_left"
        case factor
        case factors
    }

    /// The values of `purpose`.
    public enum Purpose: RiegelOpenEnum {
        /// `login`
        case login
        /// `step_up`
        case stepUp
        /// `enroll_phone`
        case enrollPhone
        /// `password_reset`
        case passwordReset
        /// A value this client does not know (sent by a newer riegeld), kept as sent.
        case unrecognized(String)

        /// The values this client knows, in IDL order.
        public static let knownCases: [Purpose] = [.login, .stepUp, .enrollPhone, .passwordReset]

        /// The case for a wire value; values this client does not know become ``unrecognized(_:)``.
        public init(rawValue: String) {
            switch rawValue {
            case "login": self = .login
            case "step_up": self = .stepUp
            case "enroll_phone": self = .enrollPhone
            case "password_reset": self = .passwordReset
            default: self = .unrecognized(rawValue)
            }
        }

        /// The wire value.
        public var rawValue: String {
            switch self {
            case .login: "login"
            case .stepUp: "step_up"
            case .enrollPhone: "enroll_phone"
            case .passwordReset: "password_reset"
            case .unrecognized(let value): value
            }
        }
    }
}

/// What a completed enroll_phone challenge did (VerifyChallenge).
public struct PhoneEnrolment: Codable, Sendable, Equatable {
    /// The number now on file, e.g. "+49 *** *** **12"
    public var maskedPhone: String
    /// True if it replaced another number: the old number was sent a notice,
    /// and every trusted device and app key was revoked
    public var replaced: Bool
    /// True if the session the challenge came from is still open (then the
    /// reply's session carries its renewed token); false for an enrolment from
    /// Register, and when that session came from a device the change revoked
    public var sessionKept: Bool

    /// Creates the value.
    public init(maskedPhone: String, replaced: Bool, sessionKept: Bool) {
        self.maskedPhone = maskedPhone
        self.replaced = replaced
        self.sessionKept = sessionKept
    }

    enum CodingKeys: String, CodingKey {
        case maskedPhone = "masked_phone"
        case replaced
        case sessionKept = "session_kept"
    }
}

/// A trusted device: a remembered browser or an app key.
public struct Device: Codable, Sendable, Equatable {
    /// Names the device in RevokeDevice and the device-key login
    public var deviceId: String
    /// Browser: a device_token from "remember this device"; app_key: a P-256 key
    public var kind: Device.Kind
    /// The label given when it was trusted, e.g. "Firefox on Linux"
    public var label: String
    /// When it was trusted
    public var createdAt: String
    /// Its last use for a login, if any
    public var lastUsedAt: String?
    /// When it stops being trusted: fixed for a browser, sliding with use for
    /// an app key
    public var expiresAt: String?

    /// Creates the value (optional fields default to absent).
    public init(deviceId: String, kind: Device.Kind, label: String, createdAt: String, lastUsedAt: String? = nil, expiresAt: String? = nil) {
        self.deviceId = deviceId
        self.kind = kind
        self.label = label
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.expiresAt = expiresAt
    }

    enum CodingKeys: String, CodingKey {
        case deviceId = "device_id"
        case kind
        case label
        case createdAt = "created_at"
        case lastUsedAt = "last_used_at"
        case expiresAt = "expires_at"
    }

    /// The values of `kind`.
    public enum Kind: RiegelOpenEnum {
        /// `browser`
        case browser
        /// `app_key`
        case appKey
        /// A value this client does not know (sent by a newer riegeld), kept as sent.
        case unrecognized(String)

        /// The values this client knows, in IDL order.
        public static let knownCases: [Kind] = [.browser, .appKey]

        /// The case for a wire value; values this client does not know become ``unrecognized(_:)``.
        public init(rawValue: String) {
            switch rawValue {
            case "browser": self = .browser
            case "app_key": self = .appKey
            default: self = .unrecognized(rawValue)
            }
        }

        /// The wire value.
        public var rawValue: String {
            switch self {
            case .browser: "browser"
            case .appKey: "app_key"
            case .unrecognized(let value): value
            }
        }
    }
}
