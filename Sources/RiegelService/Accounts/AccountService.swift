import Logging
import RiegelCore
import Synchronization

/// The account use cases: registration, password login, password change and
/// reset, username recovery, activation codes and deletion.
///
/// - Important: passwords and PHC strings exist in memory only while a call
///   runs; the store sees them sealed. Nothing secret reaches the logger
///   (security rule 9): log lines carry user ids and reasons only.
public final class AccountService: Sendable {
    let accounts: any AccountStore
    /// Pages of accounts for administrators (`ListAccounts`).
    let directory: any AccountDirectory
    let throttles: any ThrottleStore
    let resetTokens: any ResetTokenStore
    let activationCodes: any ActivationCodeStore
    let sessions: SessionService
    let sms: SMSChallengeService
    /// Every second factor behind the seam (SMS alone unless more are given).
    let factors: FactorService
    let devices: DeviceService
    /// Commits a login's session and its audit entry together.
    let transactions: any TransactionRunner
    let hashing: PasswordHashingPool
    let hashValidator: any PasswordHashValidator
    let sealer: any SecretSealer
    let keyedDigester: any KeyedDigester
    let tokenDigester: any TokenDigester
    let tokens: any TokenGenerator
    let clock: any WallClock
    let random: any RandomSource
    let policy: AccountPolicy
    let logger: Logger
    let audit: AuditRecorder
    /// Where logins are counted (`riegel_logins_total`).
    let metrics: RiegelMetrics
    /// A PHC string of a random password, verified for unknown usernames so
    /// that they cost the same time as wrong passwords (security rule 1).
    let dummyHash: Mutex<SealedSecret?>
    /// The least time a login's password verification takes (issue 11, item 10).
    let verificationFloor = VerificationFloor()
    /// Stored hashes that unknown usernames are verified against.
    let decoys = DecoyHashPool()

    /// A service over the given ports.
    public init(accounts: any AccountStore, directory: any AccountDirectory, throttles: any ThrottleStore, resetTokens: any ResetTokenStore,
                activationCodes: any ActivationCodeStore, sessions: SessionService, sms: SMSChallengeService,
                devices: DeviceService, transactions: any TransactionRunner,
                hashing: PasswordHashingPool,
                hashValidator: any PasswordHashValidator, sealer: any SecretSealer, keyedDigester: any KeyedDigester, tokenDigester: any TokenDigester,
                tokens: any TokenGenerator, clock: any WallClock, random: any RandomSource,
                policy: AccountPolicy, audit: AuditRecorder, logger: Logger, factors: FactorService? = nil,
                metrics: RiegelMetrics = .off) {
        self.accounts = accounts
        self.directory = directory
        self.throttles = throttles
        self.resetTokens = resetTokens
        self.activationCodes = activationCodes
        self.sessions = sessions
        self.sms = sms
        self.factors = factors ?? FactorService([SMSFactor(sms: sms, accounts: accounts)])
        self.devices = devices
        self.transactions = transactions
        self.hashing = hashing
        self.hashValidator = hashValidator
        self.sealer = sealer
        self.keyedDigester = keyedDigester
        self.tokenDigester = tokenDigester
        self.tokens = tokens
        self.clock = clock
        self.random = random
        self.policy = policy
        self.logger = logger
        self.audit = audit
        self.metrics = metrics
        self.dummyHash = Mutex(nil)
    }

    /// Makes the dummy hash with the configured parameters and times one
    /// verification of it for the verification floor (call once at start, so
    /// the first unknown-user login costs what later ones do).
    public func prepare() async throws {
        try await currentDummyHash()
        // A first reference duration for the verification floor.
        _ = try await checkLoginPassword(Hex.encode(random.bytes(16)), of: nil)
    }

    // MARK: registration

    /// Registers an account; returns its id and, with a phone number, the
    /// `enroll_phone` challenge whose verification turns the second factor on.
    ///
    /// Everything is checked before anything is made (username, e-mail,
    /// password policy, phone number). `UsernameTaken` names an existing
    /// user, so each one counts as a failure of the client address, and a
    /// client over the limit gets `TooManyAttempts` for every `Register`
    /// (see `AccountService+SignupThrottle`). A phone sign-up draws on the
    /// SMS enrolment budget and the client's cap in it. If the code cannot be sent, the
    /// account is removed again and the answer is `SmsUnavailable` (or
    /// `TooManyAttempts` at a send cap): nothing is left half-made.
    ///
    /// The account and its `account.created` entry commit in one transaction,
    /// so a crash cannot leave an account the audit trail never saw; an
    /// account taken back is recorded as `account.deleted` with reason
    /// `registration_incomplete`, in the transaction that removes it.
    public func register(username rawUsername: String, password: String, email rawEmail: String?,
                         phone rawPhone: String?, client: ClientContext) async throws -> (UserID, ChallengeView?) {
        let username: Username
        do { username = try Username(rawUsername) } catch { throw RiegelError.invalidUsername(reason: error.message) }
        var email: EmailAddress?
        if let rawEmail {
            do { email = try EmailAddress(rawEmail) } catch { throw RiegelError.invalidEmail(reason: error.message) }
        }
        let weak = policy.passwords.violations(of: password, username: username, email: email)
        if !weak.isEmpty { throw RiegelError.weakPassword(reasons: weak.map(\.name)) }
        let phone = try rawPhone.map { try sms.phoneNumber($0, user: nil, username: username.value) }
        try refuseIfSignupThrottled(client: client, username: username.value)
        if try accounts.account(usernameKey: username.canonicalKey) != nil {
            try recordUsernameTaken(client: client, username: username.value)
            throw RiegelError.usernameTaken
        }

        let id = UserID.random(using: random)
        let passwordHash = try await sealedHash(of: password, for: id)
        try transactions.inTransaction {
            try create(id: id, username: username, email: email, passwordHash: passwordHash)
            audit.record(.accountCreated, .success, user: id, username: username.value, client: client,
                         details: phone == nil ? [:] : ["phone": AuditPhoneMask.mask(phone!.e164)])
        }
        var challenge: ChallengeView?
        if let phone {
            do {
                challenge = try await sms.start(.enrollPhone, user: id, username: username.value, phone: phone,
                                                language: client.language, signupClient: ClientAddressKey.of(client.ip))
            } catch {
                try transactions.inTransaction {
                    try accounts.delete(id: id)
                    audit.record(.accountDeleted, .success, user: id, reason: "registration_incomplete",
                                 details: ["cause": Self.incompleteRegistrationCause(error)])
                }
                audit.forgetUsername(of: id)
                throw error
            }
        }
        return (id, challenge)
    }

    /// Why a registration with a phone was taken back (the code could not be
    /// sent), for the `account.deleted` entry that follows its `account.created`.
    private static func incompleteRegistrationCause(_ error: any Error) -> String {
        switch error as? RiegelError {
        case .smsUnavailable?: "sms_unavailable"
        case .tooManyAttempts?: "send_cap"
        case .storageUnavailable?: "storage_unavailable"
        default: "error"
        }
    }

    /// Imports an account from another system with its existing password hash
    /// (sealed like any other); a legacy hash becomes argon2id at the next login.
    public func importAccount(username rawUsername: String, passwordHash: String, email rawEmail: String?) throws -> UserID {
        let username: Username
        do { username = try Username(rawUsername) } catch { throw RiegelError.invalidUsername(reason: error.message) }
        var email: EmailAddress?
        if let rawEmail {
            do { email = try EmailAddress(rawEmail) } catch { throw RiegelError.invalidEmail(reason: error.message) }
        }
        try hashValidator.validateImported(passwordHash)
        if try accounts.account(usernameKey: username.canonicalKey) != nil { throw RiegelError.usernameTaken }
        let id = UserID.random(using: random)
        let sealed = try sealer.seal(Array(passwordHash.utf8), purpose: .password, associatedData: aad(id))
        try transactions.inTransaction {
            try create(id: id, username: username, email: email, passwordHash: sealed)
            audit.record(.accountCreated, .success, user: id, username: username.value, reason: "imported")
        }
        return id
    }

    // MARK: password change and deletion

    /// Changes the password of the session's user; ends the user's other
    /// sessions, their outstanding reset tokens and pending challenges (a
    /// reset link or a login challenge begun with the old password must not
    /// outlive it).
    public func changePassword(token: String, current: String, new: String) async throws {
        let (session, account) = try sessionAccount(token)
        try await requirePassword(current, of: account)
        let weak = policy.passwords.violations(of: new, username: account.username, email: try email(of: account))
        if !weak.isEmpty { throw RiegelError.weakPassword(reasons: weak.map(\.name)) }
        try accounts.updatePasswordHash(id: account.id, try await sealedHash(of: new, for: account.id))
        try resetTokens.removeAll(for: account.id)
        try sms.endPending(of: account.id, reason: "password_changed")
        let ended = try sessions.endAll(of: account.id, keeping: session.id, reason: "password_changed")
        audit.record(.passwordChanged, .success, user: account.id, username: account.username.value,
                     details: ["sessions_ended": "\(ended)"])
    }

    /// Deletes the session's user after re-checking the password: credentials,
    /// e-mail, sessions, tokens and codes go (the store cascades).
    public func deleteAccount(token: String, password: String) async throws {
        let (_, account) = try sessionAccount(token)
        try await requirePassword(password, of: account)
        try sessions.endAll(of: account.id, reason: "account_deleted")
        try accounts.delete(id: account.id)
        try throttles.remove(accountThrottleKey(account.username.canonicalKey))
        audit.record(.accountDeleted, .success, user: account.id)
        audit.forgetUsername(of: account.id)
    }

    // MARK: shared steps

    /// The valid session of `token` and its account.
    func sessionAccount(_ token: String) throws -> (SessionService.Checked, AccountRecord) {
        let checked = try sessions.check(token: token)
        guard let account = try accounts.account(id: checked.userID) else {
            throw RiegelError.sessionExpired(.revoked)
        }
        return (checked, account)
    }

    /// Stores a new account with its e-mail sealed and indexed.
    func create(id: UserID, username: Username, email: EmailAddress?, passwordHash: SealedSecret) throws {
        let record = AccountRecord(
            id: id, username: username,
            email: try email.map { try sealer.seal(Array($0.address.utf8), purpose: .pii, associatedData: aad(id)) },
            emailIndex: email.map { keyedDigester.digest(Array($0.lookupKey.utf8), purpose: .pii) },
            passwordHash: passwordHash, createdAt: clock.now())
        do {
            try accounts.create(record)
        } catch AccountStoreError.usernameTaken {
            throw RiegelError.usernameTaken
        }
    }

    /// Verifies `password` for an already authenticated user, throttled like a
    /// login: the attempt is counted on the account key before the hash
    /// (``ThrottleGate``) and taken back if the password is right, so
    /// concurrent re-checks are all counted and a success resets nothing.
    func requirePassword(_ password: String, of account: AccountRecord) async throws {
        let key = accountThrottleKey(account.username.canonicalKey)
        let ticket: ThrottleGate.Ticket
        switch try gate.reserve(key: key, clientKey: nil, now: clock.now()) {
        case .refused(let decision):
            try refuseIfThrottled(decision)
            return
        case .admitted(let admitted):
            ticket = admitted
        }
        let right: Bool
        do {
            right = try await verify(password, of: account)
        } catch {
            try? gate.refund(ticket)
            throw error
        }
        if right {
            try gate.refund(ticket)
            return
        }
        audit.record(.reauthenticationFailed, .failure, user: account.id, username: account.username.value,
                     reason: "wrong_password")
        recordThrottle(ticket.reservation.events.account, user: account.id, username: account.username.value)
        throw RiegelError.invalidCredentials
    }

    /// Whether `password` is the account's password.
    func verify(_ password: String, of account: AccountRecord) async throws -> Bool {
        let phc = try storedHash(of: account)
        return try await pooled { try await self.hashing.verify(password, against: phc) }
    }

    /// A fresh argon2id hash of `password`, sealed for `id`.
    func sealedHash(of password: String, for id: UserID) async throws -> SealedSecret {
        let phc = try await pooled { try await self.hashing.hash(password) }
        return try sealer.seal(Array(phc.utf8), purpose: .password, associatedData: aad(id))
    }

    /// Runs a pool call, reporting a full pool as `Overloaded`.
    func pooled<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PasswordHashingPoolError {
            throw error.riegelError
        }
    }

    /// The user id the dummy hash is sealed for (no account has it).
    static let dummyUser = UserID(rawValue: "u_dummy")

    func currentDummyHash() async throws {
        if dummyHash.withLock({ $0 }) != nil { return }
        let hash = try await pooled { try await self.hashing.hash(self.random.bytes(24)) }
        let sealed = try sealer.seal(Array(hash.utf8), purpose: .password, associatedData: aad(Self.dummyUser))
        dummyHash.withLock { $0 = sealed }
    }

    /// The dummy PHC string, opened like a stored one (made on first use if
    /// ``prepare()`` did not run).
    func openDummyHash() async throws -> String {
        try await currentDummyHash()
        let sealed = dummyHash.withLock { $0 }!
        do {
            let bytes = try sealer.open(sealed.bytes, purpose: .password, associatedData: aad(Self.dummyUser))
            return String(decoding: bytes, as: UTF8.self)
        } catch SealingError.unknownKey {
            // Its key was retired: make a new one under the active key.
            dummyHash.withLock { if $0 == sealed { $0 = nil } }
            try await currentDummyHash()
            let fresh = dummyHash.withLock { $0 }!
            return String(decoding: try sealer.open(fresh.bytes, purpose: .password, associatedData: aad(Self.dummyUser)),
                          as: UTF8.self)
        }
    }

    /// The account's e-mail address, opened.
    func email(of account: AccountRecord) throws -> EmailAddress? {
        guard let sealed = account.email else { return nil }
        let bytes = try sealer.open(sealed.bytes, purpose: .pii, associatedData: aad(account.id))
        return try? EmailAddress(String(decoding: bytes, as: UTF8.self))
    }

    /// Associated data binding a sealed value to its account.
    func aad(_ id: UserID) -> [UInt8] {
        Self.sealingAAD(id)
    }

    /// Associated data of an account's sealed password hash and e-mail (the
    /// user id): the writers and the key re-wrap share it.
    static func sealingAAD(_ id: UserID) -> [UInt8] {
        Array(id.rawValue.utf8)
    }

    /// The login throttle over the throttle store, applied atomically.
    var gate: ThrottleGate {
        ThrottleGate(store: throttles, throttle: policy.throttle)
    }

    func accountThrottleKey(_ canonicalUsername: String) -> String {
        "account:" + canonicalUsername
    }

    /// Audits what a failure set off: a delay (`throttle.engaged`) or a lockout (`account.locked`).
    func recordThrottle(_ events: [ThrottleEvent], user: UserID?, username: String?, client: ClientContext? = nil) {
        for event in events {
            switch event {
            case .delayEngaged(let retryAfter, _):
                metrics.throttleEvent(lockout: false)
                audit.record(.throttleEngaged, .failure, user: user, username: username, client: client,
                             details: ["retry_after": "\(retryAfter)"])
            case .locked(let until):
                metrics.throttleEvent(lockout: true)
                audit.record(.accountLocked, .failure, user: user, username: username, reason: "too_many_failures",
                             client: client, details: ["until": "\(until)"])
            }
        }
    }

    func refuseIfThrottled(_ decision: ThrottleDecision) throws {
        switch decision {
        case .allowed: return
        case .delayed(let retryAfter): throw RiegelError.tooManyAttempts(retryAfterSeconds: retryAfter)
        case .locked(let until): throw RiegelError.accountLocked(until: until)
        }
    }
}
