import Varlink

/// The reply of `io.riegel.Admin.RotateKey`.
public struct RotateKeyReply: Codable, Sendable, Equatable {
    /// The `key_id` field.
    public let keyId: String
    /// The `progress` field.
    public let progress: Rewrap

    /// Creates the value.
    public init(keyId: String, progress: Rewrap) {
        self.keyId = keyId
        self.progress = progress
    }

    enum CodingKeys: String, CodingKey {
        case keyId = "key_id"
        case progress
    }
}

/// The reply of `io.riegel.Admin.ListKeys`.
public struct ListKeysReply: Codable, Sendable, Equatable {
    /// The `keys` field.
    public let keys: [KeyInfo]
    /// The `rewraps` field.
    public let rewraps: [Rewrap]

    /// Creates the value.
    public init(keys: [KeyInfo], rewraps: [Rewrap]) {
        self.keys = keys
        self.rewraps = rewraps
    }
}

/// The reply of `io.riegel.Admin.RotateMasterKey`.
public struct RotateMasterKeyReply: Codable, Sendable, Equatable {
    /// Fingerprints, not keys
    public let oldKeyId: String
    /// The fingerprint riegeld uses from now on
    public let newKeyId: String
    /// Data keys re-wrapped
    public let rewrapped: Int

    /// Creates the value.
    public init(oldKeyId: String, newKeyId: String, rewrapped: Int) {
        self.oldKeyId = oldKeyId
        self.newKeyId = newKeyId
        self.rewrapped = rewrapped
    }

    enum CodingKeys: String, CodingKey {
        case oldKeyId = "old_key_id"
        case newKeyId = "new_key_id"
        case rewrapped
    }
}

/// The reply of `io.riegel.Admin.Backup`.
public struct BackupReply: Codable, Sendable, Equatable {
    /// The next piece of the copy, base64 with padding (RFC 4648)
    public let data: String
    /// In the last reply: the copy's size in bytes
    public let bytes: Int?
    /// In the last reply: the SQLite pages copied
    public let pages: Int?
    /// In the last reply: the newest audit entry the copy holds
    public let auditSeq: Int?

    /// Creates the value (optional fields default to absent).
    public init(data: String, bytes: Int? = nil, pages: Int? = nil, auditSeq: Int? = nil) {
        self.data = data
        self.bytes = bytes
        self.pages = pages
        self.auditSeq = auditSeq
    }

    enum CodingKeys: String, CodingKey {
        case data
        case bytes
        case pages
        case auditSeq = "audit_seq"
    }
}

/// The reply of `io.riegel.Admin.GetAccount`.
public struct GetAccountReply: Codable, Sendable, Equatable {
    /// The `account` field.
    public let account: Account

    /// Creates the value.
    public init(account: Account) {
        self.account = account
    }
}

/// The reply of `io.riegel.Admin.ListAccounts`.
public struct ListAccountsReply: Codable, Sendable, Equatable {
    /// The `accounts` field.
    public let accounts: [Account]
    /// The `next` field.
    public let next: String?

    /// Creates the value (optional fields default to absent).
    public init(accounts: [Account], next: String? = nil) {
        self.accounts = accounts
        self.next = next
    }
}

/// The reply of `io.riegel.Admin.ImportAccount`.
public struct ImportAccountReply: Codable, Sendable, Equatable {
    /// The `user_id` field.
    public let userId: String

    /// Creates the value.
    public init(userId: String) {
        self.userId = userId
    }

    enum CodingKeys: String, CodingKey {
        case userId = "user_id"
    }
}

/// The reply of `io.riegel.Admin.RevokeSessions`.
public struct RevokeSessionsReply: Codable, Sendable, Equatable {
    /// The `ended` field.
    public let ended: Int

    /// Creates the value.
    public init(ended: Int) {
        self.ended = ended
    }
}

/// The reply of `io.riegel.Admin.RevokeDevices`.
public struct RevokeDevicesReply: Codable, Sendable, Equatable {
    /// The `revoked` field.
    public let revoked: Int

    /// Creates the value.
    public init(revoked: Int) {
        self.revoked = revoked
    }
}

/// The reply of `io.riegel.Admin.Status`.
public struct StatusReply: Codable, Sendable, Equatable {
    /// What the daemon is doing (READY, RELOADING, STOPPING for systemd)
    public let state: StatusReply.State
    /// Riegeld's version
    public let version: String
    /// When this process started
    public let startedAt: String
    /// Seconds since then
    public let uptime: Int
    /// The startup and health checks
    public let checks: [HealthCheck]

    /// Creates the value.
    public init(state: StatusReply.State, version: String, startedAt: String, uptime: Int, checks: [HealthCheck]) {
        self.state = state
        self.version = version
        self.startedAt = startedAt
        self.uptime = uptime
        self.checks = checks
    }

    enum CodingKeys: String, CodingKey {
        case state
        case version
        case startedAt = "started_at"
        case uptime
        case checks
    }

    /// The values of `state`.
    public enum State: RiegelOpenEnum {
        /// `serving`
        case serving
        /// `reloading`
        case reloading
        /// `stopping`
        case stopping
        /// A value this client does not know (sent by a newer riegeld), kept as sent.
        case unrecognized(String)

        /// The values this client knows, in IDL order.
        public static let knownCases: [State] = [.serving, .reloading, .stopping]

        /// The case for a wire value; values this client does not know become ``unrecognized(_:)``.
        public init(rawValue: String) {
            switch rawValue {
            case "serving": self = .serving
            case "reloading": self = .reloading
            case "stopping": self = .stopping
            default: self = .unrecognized(rawValue)
            }
        }

        /// The wire value.
        public var rawValue: String {
            switch self {
            case .serving: "serving"
            case .reloading: "reloading"
            case .stopping: "stopping"
            case .unrecognized(let value): value
            }
        }
    }
}

/// The reply of `io.riegel.Admin.Stats`.
public struct StatsReply: Codable, Sendable, Equatable {
    /// Accounts stored
    public let accounts: Int
    /// Sessions neither ended nor expired
    public let sessionsActive: Int
    /// SMS challenges waiting for their code
    public let challengesPending: Int
    /// Messages an SMS gateway took in the last hour
    public let smsSentLastHour: Int
    /// Failed password and device-key logins in the last hour (audit trail)
    public let loginsFailedLastHour: Int

    /// Creates the value.
    public init(accounts: Int, sessionsActive: Int, challengesPending: Int, smsSentLastHour: Int, loginsFailedLastHour: Int) {
        self.accounts = accounts
        self.sessionsActive = sessionsActive
        self.challengesPending = challengesPending
        self.smsSentLastHour = smsSentLastHour
        self.loginsFailedLastHour = loginsFailedLastHour
    }

    enum CodingKeys: String, CodingKey {
        case accounts
        case sessionsActive = "sessions_active"
        case challengesPending = "challenges_pending"
        case smsSentLastHour = "sms_sent_last_hour"
        case loginsFailedLastHour = "logins_failed_last_hour"
    }
}

/// The reply of `io.riegel.Admin.SmsStats`.
public struct SmsStatsReply: Codable, Sendable, Equatable {
    /// The `since` field.
    public let since: String
    /// The `countries` field.
    public let countries: [SmsCountryStats]

    /// Creates the value.
    public init(since: String, countries: [SmsCountryStats]) {
        self.since = since
        self.countries = countries
    }
}
