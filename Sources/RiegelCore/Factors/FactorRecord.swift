/// A stored factor other than the phone: an authenticator app (TOTP) or an
/// account's set of recovery codes (whose codes live beside it, as digests).
///
/// - Important: holds no secret in clear: the TOTP secret is sealed with the
///   `otp` key (associated data ``totpAAD(_:)``); recovery codes are stored
///   only as keyed digests.
public struct FactorRecord: Sendable, Hashable {
    public var id: FactorID
    public var userID: UserID
    public var kind: FactorKind
    /// The user's name for it ("Phone app"); unique per account among TOTP factors.
    public var label: String
    public var state: FactorState
    public var createdAt: Instant
    /// Its last accepted code, if any.
    public var lastUsedAt: Instant?
    /// TOTP: the shared secret, sealed with the `otp` key.
    public var secret: SealedSecret?
    /// TOTP: the time step of the last accepted code; a code of this step or
    /// an earlier one is never accepted again (replay).
    public var lastStep: Int64?

    /// A record.
    public init(id: FactorID, userID: UserID, kind: FactorKind, label: String, state: FactorState, createdAt: Instant,
                lastUsedAt: Instant? = nil, secret: SealedSecret? = nil, lastStep: Int64? = nil) {
        self.id = id
        self.userID = userID
        self.kind = kind
        self.label = label
        self.state = state
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.secret = secret
        self.lastStep = lastStep
    }

    /// The associated data a TOTP secret is sealed with: it opens only in its own row.
    public static func totpAAD(_ id: FactorID) -> [UInt8] { Array(("totp:" + id.rawValue).utf8) }
}
