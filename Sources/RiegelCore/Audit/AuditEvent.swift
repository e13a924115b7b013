/// What a use case records in the audit trail: who did what, from where, and
/// how it ended. The log stamps it with a sequence number and a time.
///
/// - Important: security rule 9: an event never carries a password, code,
///   token or full phone number. Name things by id (user id, session id,
///   challenge id) and say why with a short `reason` (`wrong_password`,
///   `idle`); mask a phone with ``AuditPhoneMask/mask(_:)`` before putting it
///   in `details`.
public struct AuditEvent: Sendable, Hashable {
    /// The kind of event, dotted lowercase (`login.failed`, `session.revoked`):
    /// an ``AuditEventType`` raw value for what this version records; a
    /// string, because stored entries keep whatever type they were written with.
    public var type: String
    /// Whether the action succeeded.
    public var outcome: AuditOutcome
    /// The account concerned, if any. Covered by the hash chain.
    public var userID: UserID?
    /// The readable username at the time, if known. Stored beside the entry
    /// but NOT covered by the hash chain, so that deleting the account can
    /// blank it (``AuditMaintenance/forgetUsername(of:)``) without breaking the chain.
    public var username: String?
    /// Why it failed or what it concerned (`wrong_password`, `idle`).
    public var reason: String?
    /// The uid of the local peer that asked (SO_PEERCRED).
    public var peerUID: UInt32?
    /// The pid of the local peer that asked (SO_PEERCRED).
    public var peerPID: Int32?
    /// The end user's IP address as the portal passed it.
    public var clientIP: String?
    /// The end user's user agent as the portal passed it.
    public var userAgent: String?
    /// Further facts (ids, masked values); never a secret.
    public var details: [String: String]

    /// An event.
    public init(type: String, outcome: AuditOutcome, userID: UserID? = nil, username: String? = nil,
                reason: String? = nil, peerUID: UInt32? = nil, peerPID: Int32? = nil, clientIP: String? = nil,
                userAgent: String? = nil, details: [String: String] = [:]) {
        self.type = type
        self.outcome = outcome
        self.userID = userID
        self.username = username
        self.reason = reason
        self.peerUID = peerUID
        self.peerPID = peerPID
        self.clientIP = clientIP
        self.userAgent = userAgent
        self.details = details
    }
}
