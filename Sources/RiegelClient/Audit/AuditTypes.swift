import Varlink

/// One audit entry.
public struct Event: Codable, Sendable, Equatable {
    /// Its position in the chain: 1, 2, 3, ... without gaps
    public var seq: Int
    /// When it was recorded (RFC 3339, whole seconds; time_unix is exact)
    public var time: String
    /// The event type, e.g. login.succeeded, login.failed, access.denied;
    /// every type and its fields: docs/audit-events.md
    public var type: String
    /// Whether what happened succeeded
    public var outcome: Event.Outcome
    /// The account concerned, if any
    public var userId: String?
    /// Its username then; blanked when the account is deleted (outside the chain)
    public var username: String?
    /// Why it failed or what it concerned, e.g. "wrong_password", "idle"
    public var reason: String?
    /// Who asked: the peer's uid and process, and the end user's client info
    public var peerUid: Int?
    /// The calling process's pid
    public var peerPid: Int?
    /// The end user's address as the portal passed it
    public var clientIp: String?
    /// The end user's User-Agent as the portal passed it
    public var userAgent: String?
    /// Per-type fields, all strings (docs/audit-events.md)
    public var details: [String: String]?
    /// The entry's chain hash, hex: SHA-256 of previous_hash and the entry's
    /// canonical encoding (docs/audit-export.md)
    public var hash: String
    /// The time as seconds since the epoch, exactly as hashed into the chain
    /// (time is the same instant, rounded, for people)
    public var timeUnix: Double?
    /// The chain hash of the entry before, hex (64 zeros before the first)
    public var previousHash: String?

    /// Creates the value (optional fields default to absent).
    public init(seq: Int, time: String, type: String, outcome: Event.Outcome, userId: String? = nil, username: String? = nil, reason: String? = nil, peerUid: Int? = nil, peerPid: Int? = nil, clientIp: String? = nil, userAgent: String? = nil, details: [String: String]? = nil, hash: String, timeUnix: Double? = nil, previousHash: String? = nil) {
        self.seq = seq
        self.time = time
        self.type = type
        self.outcome = outcome
        self.userId = userId
        self.username = username
        self.reason = reason
        self.peerUid = peerUid
        self.peerPid = peerPid
        self.clientIp = clientIp
        self.userAgent = userAgent
        self.details = details
        self.hash = hash
        self.timeUnix = timeUnix
        self.previousHash = previousHash
    }

    enum CodingKeys: String, CodingKey {
        case seq
        case time
        case type
        case outcome
        case userId = "user_id"
        case username
        case reason
        case peerUid = "peer_uid"
        case peerPid = "peer_pid"
        case clientIp = "client_ip"
        case userAgent = "user_agent"
        case details
        case hash
        case timeUnix = "time_unix"
        case previousHash = "previous_hash"
    }

    /// The values of `outcome`.
    public enum Outcome: RiegelOpenEnum {
        /// `success`
        case success
        /// `failure`
        case failure
        /// A value this client does not know (sent by a newer riegeld), kept as sent.
        case unrecognized(String)

        /// The values this client knows, in IDL order.
        public static let knownCases: [Outcome] = [.success, .failure]

        /// The case for a wire value; values this client does not know become ``unrecognized(_:)``.
        public init(rawValue: String) {
            switch rawValue {
            case "success": self = .success
            case "failure": self = .failure
            default: self = .unrecognized(rawValue)
            }
        }

        /// The wire value.
        public var rawValue: String {
            switch self {
            case .success: "success"
            case .failure: "failure"
            case .unrecognized(let value): value
            }
        }
    }
}

/// A signed point of the chain: the hash of entry seq and an Ed25519
/// signature by the audit key key_id over "riegel-audit-checkpoint-v1",
/// seq (8 bytes big-endian) and the hash.
public struct Seal: Codable, Sendable, Equatable {
    /// The entry sealed (0 for the genesis)
    public var seq: Int
    /// The chain hash of entry seq, hex; 64 zeros with seq 0 (the genesis,
    /// before the first entry)
    public var hash: String
    /// The audit key that signed, e.g. "key-4"; absent only for the genesis
    public var keyId: String?
    /// The 64-byte Ed25519 signature, hex; absent only for the genesis
    public var signature: String?

    /// Creates the value (optional fields default to absent).
    public init(seq: Int, hash: String, keyId: String? = nil, signature: String? = nil) {
        self.seq = seq
        self.hash = hash
        self.keyId = keyId
        self.signature = signature
    }

    enum CodingKeys: String, CodingKey {
        case seq
        case hash
        case keyId = "key_id"
        case signature
    }
}

/// The public half of an audit signing key.
public struct PublicKey: Codable, Sendable, Equatable {
    /// The audit data key it derives from, e.g. "key-4"
    public var keyId: String
    /// Whether new checkpoints are signed with it
    public var active: Bool
    /// The key as PEM (SubjectPublicKeyInfo), for openssl and PEM readers
    public var pem: String
    /// The raw 32-byte Ed25519 public key, hex
    public var raw: String

    /// Creates the value.
    public init(keyId: String, active: Bool, pem: String, raw: String) {
        self.keyId = keyId
        self.active = active
        self.pem = pem
        self.raw = raw
    }

    enum CodingKeys: String, CodingKey {
        case keyId = "key_id"
        case active
        case pem
        case raw
    }
}

/// Which entries a Query returns: every field given must hold.
public struct Filter: Codable, Sendable, Equatable {
    /// Matches a username or a user id
    public var user: String?
    /// Any of these event types; a type riegeld does not know is refused
    /// with InvalidFilter (so a typo does not silently match nothing)
    public var types: [String]?
    /// Only successes or only failures
    public var outcome: Event.Outcome?
    /// Entries at or after this RFC 3339 time
    public var since: String?
    /// Entries at or before this RFC 3339 time
    public var until: String?
    /// Entries with this client address
    public var clientIp: String?

    /// Creates the value (optional fields default to absent).
    public init(user: String? = nil, types: [String]? = nil, outcome: Event.Outcome? = nil, since: String? = nil, until: String? = nil, clientIp: String? = nil) {
        self.user = user
        self.types = types
        self.outcome = outcome
        self.since = since
        self.until = until
        self.clientIp = clientIp
    }

    enum CodingKeys: String, CodingKey {
        case user
        case types
        case outcome
        case since
        case until
        case clientIp = "client_ip"
    }
}
