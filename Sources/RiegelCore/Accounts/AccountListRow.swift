/// One account as the administrators' list shows it.
///
/// - Important: holds nothing secret or personal beyond the username: no
///   password hash, e-mail address or phone number, sealed or not.
public struct AccountListRow: Sendable, Hashable {
    public var userID: UserID
    /// The username as registered (NFC).
    public var username: String
    public var createdAt: Instant
    /// The administrator's lock as stored (it may lie in the past).
    public var lockedUntil: Instant?
    public var secondFactor: Bool
    public var lastLoginAt: Instant?
    /// Trusted devices neither revoked nor expired at the listing's `now`.
    public var devices: Int

    /// Creates a value.
    public init(userID: UserID, username: String, createdAt: Instant, lockedUntil: Instant?, secondFactor: Bool,
                lastLoginAt: Instant?, devices: Int) {
        self.userID = userID
        self.username = username
        self.createdAt = createdAt
        self.lockedUntil = lockedUntil
        self.secondFactor = secondFactor
        self.lastLoginAt = lastLoginAt
        self.devices = devices
    }

    /// Where the row sits in the list.
    public var position: AccountListPosition { AccountListPosition(createdAt: createdAt, userID: userID) }

    /// Whether an administrator's lock is in force at `now`.
    public func isLocked(at now: Instant) -> Bool {
        lockedUntil.map { $0 > now } ?? false
    }
}
