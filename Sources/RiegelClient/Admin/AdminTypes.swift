import Varlink

/// What a key protects:
/// - password: the encryption layer around every stored password hash
/// - pii: phone numbers and e-mail addresses at rest, and their lookup index
/// - otp: the keyed digest of one-time codes and short-lived secrets
/// - audit: the signed checkpoints of the audit chain (Ed25519 key derived
/// from the audit data key)
public enum KeyPurpose: RiegelOpenEnum {
    /// `password`
    case password
    /// `pii`
    case pii
    /// `otp`
    case otp
    /// `audit`
    case audit
    /// A value this client does not know (sent by a newer riegeld), kept as sent.
    case unrecognized(String)

    /// The values this client knows, in IDL order.
    public static let knownCases: [KeyPurpose] = [.password, .pii, .otp, .audit]

    /// The case for a wire value; values this client does not know become ``unrecognized(_:)``.
    public init(rawValue: String) {
        switch rawValue {
        case "password": self = .password
        case "pii": self = .pii
        case "otp": self = .otp
        case "audit": self = .audit
        default: self = .unrecognized(rawValue)
        }
    }

    /// The wire value.
    public var rawValue: String {
        switch self {
        case .password: "password"
        case .pii: "pii"
        case .otp: "otp"
        case .audit: "audit"
        case .unrecognized(let value): value
        }
    }
}

/// A data key, never its material.
public struct KeyInfo: Codable, Sendable, Equatable {
    /// E.g. "key-4"; ids grow, across purposes
    public var keyId: String
    /// What it protects
    public var purpose: KeyPurpose
    /// Active: new values use it; decrypt_only: older values still under it;
    /// retired: its material erased
    public var state: KeyInfo.State
    /// When it was made
    public var createdAt: String
    /// Fingerprint of the master key it is wrapped under (was, if retired)
    public var masterKeyId: String
    /// Stored rows that reference it, counted from the rows: accounts and
    /// audit checkpoints always; unredeemed activation codes and pending SMS
    /// challenges until they expire; queued SMS until sent or given up
    public var inUse: Int

    /// Creates the value.
    public init(keyId: String, purpose: KeyPurpose, state: KeyInfo.State, createdAt: String, masterKeyId: String, inUse: Int) {
        self.keyId = keyId
        self.purpose = purpose
        self.state = state
        self.createdAt = createdAt
        self.masterKeyId = masterKeyId
        self.inUse = inUse
    }

    enum CodingKeys: String, CodingKey {
        case keyId = "key_id"
        case purpose
        case state
        case createdAt = "created_at"
        case masterKeyId = "master_key_id"
        case inUse = "in_use"
    }

    /// The values of `state`.
    public enum State: RiegelOpenEnum {
        /// `active`
        case active
        /// `decrypt_only`
        case decryptOnly
        /// `retired`
        case retired
        /// A value this client does not know (sent by a newer riegeld), kept as sent.
        case unrecognized(String)

        /// The values this client knows, in IDL order.
        public static let knownCases: [State] = [.active, .decryptOnly, .retired]

        /// The case for a wire value; values this client does not know become ``unrecognized(_:)``.
        public init(rawValue: String) {
            switch rawValue {
            case "active": self = .active
            case "decrypt_only": self = .decryptOnly
            case "retired": self = .retired
            default: self = .unrecognized(rawValue)
            }
        }

        /// The wire value.
        public var rawValue: String {
            switch self {
            case .active: "active"
            case .decryptOnly: "decrypt_only"
            case .retired: "retired"
            case .unrecognized(let value): value
            }
        }
    }
}

/// An account as admins see it: no e-mail, phone or secret.
public struct Account: Codable, Sendable, Equatable {
    /// The account's random id
    public var userId: String
    /// As registered
    public var username: String
    /// When it was registered or imported
    public var createdAt: String
    /// Set while a lock is in force (see ListAccounts for which locks)
    public var lockedUntil: String?
    /// Whether SMS codes are required on new devices
    public var secondFactor: Bool
    /// Live sessions
    public var sessions: Int
    /// Active trusted browsers and app keys
    public var devices: Int
    /// When its newest session was opened, if ever
    public var lastLoginAt: String?

    /// Creates the value (optional fields default to absent).
    public init(userId: String, username: String, createdAt: String, lockedUntil: String? = nil, secondFactor: Bool, sessions: Int, devices: Int, lastLoginAt: String? = nil) {
        self.userId = userId
        self.username = username
        self.createdAt = createdAt
        self.lockedUntil = lockedUntil
        self.secondFactor = secondFactor
        self.sessions = sessions
        self.devices = devices
        self.lastLoginAt = lastLoginAt
    }

    enum CodingKeys: String, CodingKey {
        case userId = "user_id"
        case username
        case createdAt = "created_at"
        case lockedUntil = "locked_until"
        case secondFactor = "second_factor"
        case sessions
        case devices
        case lastLoginAt = "last_login_at"
    }
}

/// The re-wrap that moves a purpose's rows to its active key after a
/// rotation. password: password hashes re-encrypted; pii: e-mail and phone
/// re-encrypted and their lookup indexes recomputed; audit: checkpoints
/// re-sealed (each checked under its old key first); otp: nothing to move,
/// codes finish under the key they were made with.
public struct Rewrap: Codable, Sendable, Equatable {
    /// The purpose whose rows move
    public var purpose: KeyPurpose
    /// The key rows move to
    public var keyId: String
    /// Failed stays until the purpose is rotated again
    public var state: Rewrap.State
    /// Rows moved so far
    public var processed: Int
    /// Rows under older keys when it started
    public var total: Int
    /// When the job began
    public var startedAt: String
    /// Its last progress
    public var updatedAt: String
    /// Why it failed (a row and the kind of error, no value)
    public var problem: String?

    /// Creates the value (optional fields default to absent).
    public init(purpose: KeyPurpose, keyId: String, state: Rewrap.State, processed: Int, total: Int, startedAt: String, updatedAt: String, problem: String? = nil) {
        self.purpose = purpose
        self.keyId = keyId
        self.state = state
        self.processed = processed
        self.total = total
        self.startedAt = startedAt
        self.updatedAt = updatedAt
        self.problem = problem
    }

    enum CodingKeys: String, CodingKey {
        case purpose
        case keyId = "key_id"
        case state
        case processed
        case total
        case startedAt = "started_at"
        case updatedAt = "updated_at"
        case problem
    }

    /// The values of `state`.
    public enum State: RiegelOpenEnum {
        /// `running`
        case running
        /// `finished`
        case finished
        /// `failed`
        case failed
        /// A value this client does not know (sent by a newer riegeld), kept as sent.
        case unrecognized(String)

        /// The values this client knows, in IDL order.
        public static let knownCases: [State] = [.running, .finished, .failed]

        /// The case for a wire value; values this client does not know become ``unrecognized(_:)``.
        public init(rawValue: String) {
            switch rawValue {
            case "running": self = .running
            case "finished": self = .finished
            case "failed": self = .failed
            default: self = .unrecognized(rawValue)
            }
        }

        /// The wire value.
        public var rawValue: String {
            switch self {
            case .running: "running"
            case .finished: "finished"
            case .failed: "failed"
            case .unrecognized(let value): value
            }
        }
    }
}

/// One startup or health check of the daemon and how it went.
public struct HealthCheck: Codable, Sendable, Equatable {
    /// E.g. "state_directory", "database", "keys", "sms_gateway.outbox"
    public var name: String
    /// Whether the check passed
    public var ok: Bool
    /// What was found, e.g. the error of a failed check
    public var detail: String?

    /// Creates the value (optional fields default to absent).
    public init(name: String, ok: Bool, detail: String? = nil) {
        self.name = name
        self.ok = ok
        self.detail = detail
    }
}

/// SMS sends and code conversion for one country calling code.
public struct SmsCountryStats: Codable, Sendable, Equatable {
    /// The calling code without +, e.g. "49"
    public var countryCode: String
    /// Messages a gateway took
    public var sent: Int
    /// Messages queued but not taken (yet), or given up
    public var unsent: Int
    /// Challenges with at least one message sent
    public var challenges: Int
    /// Of those, challenges whose code was verified
    public var verified: Int

    /// Creates the value.
    public init(countryCode: String, sent: Int, unsent: Int, challenges: Int, verified: Int) {
        self.countryCode = countryCode
        self.sent = sent
        self.unsent = unsent
        self.challenges = challenges
        self.verified = verified
    }

    enum CodingKeys: String, CodingKey {
        case countryCode = "country_code"
        case sent
        case unsent
        case challenges
        case verified
    }
}
