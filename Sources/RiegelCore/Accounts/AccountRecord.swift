/// An account as stored: every secret or personal datum sealed or digested.
///
/// - Important: the stored form never holds a plaintext password hash, e-mail
///   address or phone number: the PHC string is sealed under the `password`
///   key, the e-mail under the `pii` key (bound to the user id) with an HMAC
///   blind index for lookups.
public struct AccountRecord: Sendable, Hashable {
    public var id: UserID
    /// The username as registered (NFC); its `canonicalKey` is unique.
    public var username: Username
    /// The e-mail address, sealed with the `pii` key (associated data: the user id).
    public var email: SealedSecret?
    /// HMAC (`pii` key) of the e-mail's lookup key, for `RecoverUsername`.
    public var emailIndex: KeyedDigest?
    /// The PHC string, sealed with the `password` key (associated data: the user id).
    public var passwordHash: SealedSecret
    public var createdAt: Instant
    /// The verified phone number (E.164), sealed with the `pii` key
    /// (associated data: the user id); set when an enrolment is verified.
    public var phone: SealedSecret?
    /// HMAC (`pii` key) of the phone's lookup key: the per-number send cap's key.
    public var phoneIndex: KeyedDigest?
    /// Whether login needs a second factor (SMS) on new devices.
    public var secondFactorEnabled: Bool
    /// An administrator's lock, if any (throttle lockouts live in the throttle state).
    public var lockedUntil: Instant?
    public var lastLoginAt: Instant?
    /// Goes up by one whenever what a login proves or what may log in
    /// changes: a password change or reset, an administrator's lock or
    /// unlock, the second factor turned on, off or moved. A login or a
    /// challenge that read the account before such a change is refused when
    /// it would open a session (issue 11, items 6 and 9). Set by the store.
    public var credentialGeneration: Int

    /// A record.
    public init(id: UserID, username: Username, email: SealedSecret?, emailIndex: KeyedDigest?,
                passwordHash: SealedSecret, createdAt: Instant, phone: SealedSecret? = nil,
                phoneIndex: KeyedDigest? = nil, secondFactorEnabled: Bool = false,
                lockedUntil: Instant? = nil, lastLoginAt: Instant? = nil, credentialGeneration: Int = 0) {
        self.id = id
        self.username = username
        self.email = email
        self.emailIndex = emailIndex
        self.passwordHash = passwordHash
        self.createdAt = createdAt
        self.phone = phone
        self.phoneIndex = phoneIndex
        self.secondFactorEnabled = secondFactorEnabled
        self.lockedUntil = lockedUntil
        self.lastLoginAt = lastLoginAt
        self.credentialGeneration = credentialGeneration
    }
}
