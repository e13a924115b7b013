/// A session as stored.
///
/// - Important: the token is never stored, only its SHA-256 digest.
public struct SessionRecord: Sendable, Hashable {
    public var id: SessionID
    public var userID: UserID
    /// SHA-256 of the current token (renewal replaces it).
    public var tokenDigest: [UInt8]
    public var assurance: Assurance
    public var method: AuthenticationMethod
    public var createdAt: Instant
    /// When the user last proved a first factor for this session.
    public var authenticatedAt: Instant
    /// When the second factor was last proven in this session, if ever.
    public var secondFactorAt: Instant?
    /// How it was last proven (`sms`, `trusted_device` or `device_key`); nil
    /// when ``secondFactorAt`` is. A step-up by SMS makes it `sms`, whatever
    /// opened the session: credential changes look at this, not at ``method``.
    public var secondFactorMethod: AuthenticationMethod?
    public var lastActivityAt: Instant
    /// Client information the portal passed at creation.
    public var clientIP: String?
    public var userAgent: String?
    /// Set when the session was ended on purpose.
    public var revokedAt: Instant?
    public var revokeReason: String?
    /// The trusted device or app key the session came from, if any: revoking
    /// the device ends the session.
    public var deviceID: DeviceID?

    /// A record.
    public init(id: SessionID, userID: UserID, tokenDigest: [UInt8], assurance: Assurance,
                method: AuthenticationMethod, createdAt: Instant, authenticatedAt: Instant,
                secondFactorAt: Instant? = nil, secondFactorMethod: AuthenticationMethod? = nil,
                lastActivityAt: Instant, clientIP: String? = nil,
                userAgent: String? = nil, revokedAt: Instant? = nil, revokeReason: String? = nil,
                deviceID: DeviceID? = nil) {
        self.id = id
        self.userID = userID
        self.tokenDigest = tokenDigest
        self.assurance = assurance
        self.method = method
        self.createdAt = createdAt
        self.authenticatedAt = authenticatedAt
        self.secondFactorAt = secondFactorAt
        self.secondFactorMethod = secondFactorMethod
        self.lastActivityAt = lastActivityAt
        self.clientIP = clientIP
        self.userAgent = userAgent
        self.revokedAt = revokedAt
        self.revokeReason = revokeReason
        self.deviceID = deviceID
    }
}
