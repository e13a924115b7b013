import Logging
import RiegelCore
import Synchronization

/// SMS challenges end to end: parse the number, check the country and the
/// send caps, make the code, store the challenge with its message, have the
/// dispatcher send it; verify codes against the challenge and the account's
/// budget; resend. What a verified challenge unlocks is the caller's business
/// (`AccountService+SecondFactor`).
///
/// See `docs/flows/sms-challenge.md`.
/// - Important: codes exist in memory only while a message is made; the
///   store holds their keyed digests (`otp` key, bound to the challenge id).
///   Phone numbers are sealed (`pii` key) and reach logs and the audit trail
///   only masked. Verifications, caps and budgets are read-modify-written
///   under one lock, and besides in one atomic update of the store, so they
///   hold across riegeld instances sharing a database: a verification and
///   a resend run inside the account's budget update
///   (``SMSCounterStore/updateBudget(of:_:)``), so two concurrent right
///   answers cannot both use a code, every wrong one counts and a resend
///   neither gives back tries nor reopens a closed challenge; the caps'
///   send windows in ``SMSCounterStore/updateSendWindows(_:now:_:)``.
public final class SMSChallengeService: Sendable {
    let store: any SMSChallengeStore
    let counters: any SMSCounterStore
    /// Makes a send slot and its challenge one commit (the stores' database).
    let transactions: any TransactionRunner
    let dispatcher: SMSDispatcher
    let sealer: any SecretSealer
    let digester: any KeyedDigester
    let random: any RandomSource
    let clock: any WallClock
    /// The settings in force.
    public let policy: SMSPolicy
    let audit: AuditRecorder
    let logger: Logger
    /// Where verifications are counted (`riegel_second_factor_verifications_total{factor="sms"}`).
    let metrics: RiegelMetrics
    /// Serialises verifications, caps and budgets (also the budgeted checks
    /// of other factors, `SMSChallengeService+Budget`).
    let lock = Mutex(())

    /// A service over the given ports.
    public init(store: any SMSChallengeStore, counters: any SMSCounterStore, transactions: any TransactionRunner,
                dispatcher: SMSDispatcher, sealer: any SecretSealer, digester: any KeyedDigester,
                random: any RandomSource, clock: any WallClock, policy: SMSPolicy, audit: AuditRecorder,
                logger: Logger, metrics: RiegelMetrics = .off) {
        self.store = store
        self.counters = counters
        self.transactions = transactions
        self.dispatcher = dispatcher
        self.sealer = sealer
        self.digester = digester
        self.random = random
        self.clock = clock
        self.policy = policy
        self.audit = audit
        self.logger = logger
        self.metrics = metrics
    }

    // MARK: numbers

    /// Parses user input to an E.164 number SMS may go to.
    /// - Throws: `InvalidPhoneNumber` (the reason is audited, never the number).
    public func phoneNumber(_ input: String, user: UserID?, username: String?) throws -> PhoneNumber {
        do {
            let number = try PhoneNumber(parsing: input, defaultCountryCode: policy.defaultCountryCode)
            try policy.allowlist.check(number)
            return number
        } catch {
            audit.record(.smsRefused, .failure, user: user, username: username, reason: "invalid_phone_number",
                         details: ["detail": Self.reasonName(error)])
            throw RiegelError.invalidPhoneNumber(reason: Self.reasonText(error))
        }
    }

    /// Seals `number` for an account's `phone` column, with its blind index.
    public func sealForAccount(_ number: PhoneNumber, user: UserID) throws -> (sealed: SealedSecret, index: KeyedDigest) {
        (try sealer.seal(Array(number.e164.utf8), purpose: .pii, associatedData: Self.accountAAD(user)),
         digester.digest(number.lookupKey, purpose: .pii))
    }

    /// Opens an account's phone.
    public func phone(of account: AccountRecord) throws -> PhoneNumber? {
        guard let sealed = account.phone else { return nil }
        let bytes = try sealer.open(sealed.bytes, purpose: .pii, associatedData: Self.accountAAD(account.id))
        return try PhoneNumber(parsing: String(decoding: bytes, as: UTF8.self))
    }

    /// Opens the number a challenge was sent to.
    public func phone(of challenge: SMSChallenge) throws -> PhoneNumber {
        let bytes = try sealer.open(challenge.sealedPhone.bytes, purpose: .pii,
                                    associatedData: Self.challengeAAD(challenge.id))
        return try PhoneNumber(parsing: String(decoding: bytes, as: UTF8.self))
    }

    // MARK: start

    /// Starts a challenge and sends its code; returns once a gateway took it.
    ///
    /// The send draws on the budget of `purpose` (``SMSSendBudget``);
    /// `signupClient` (a ``ClientAddressKey``, given by `Register` only) also
    /// counts it against that client's enrolment cap.
    ///
    /// - Throws: `TooManyAttempts` when a send cap is reached (audited),
    ///   `SmsUnavailable` when no gateway took the message before the send
    ///   deadline: then nothing of the challenge is left.
    public func start(_ purpose: ChallengePurpose, user: UserID, username: String, phone: PhoneNumber,
                      session: SessionID? = nil, language: String? = nil,
                      pendingReset: PendingPasswordReset? = nil, signupClient: String? = nil,
                      credentialGeneration: Int? = nil) async throws -> ChallengeView {
        try requireAllowed(phone, user: user, username: username)
        let now = clock.now()
        let id = ChallengeID.random(using: random)
        let code = OneTimeCode.generate(length: policy.challenge.codeLength, using: random)
        let challenge = SMSChallenge.start(
            id: id, purpose: purpose, userID: user, sessionID: session,
            sealedPhone: try sealer.seal(Array(phone.e164.utf8), purpose: .pii, associatedData: Self.challengeAAD(id)),
            codeDigest: digester.digest(code.digestMessage(challengeID: id), purpose: .otp),
            policy: policy.challenge, now: now)
        let message = try queued(code: code, challenge: challenge, phone: phone, language: language, now: now)
        guard dispatcher.claim(id) else { preconditionFailure("a fresh challenge id is claimed") }
        defer { dispatcher.release(id) }
        // The send slot and the challenge with its message commit together:
        // one commit, not two, and a create that fails leaves no slot taken.
        var decision = SMSCapDecision.allowed
        let messageID: Int64? = try lock.withLock { _ in
            try transactions.inTransaction {
                decision = try reserveSendSlot(user: user, phone: phone, purpose: purpose, client: signupClient,
                                               now: now)
                guard decision == .allowed else { return nil }  // a cap refused: nothing was written
                return try store.create(
                    StoredChallenge(challenge: challenge, language: language, pendingReset: pendingReset,
                                    credentialGeneration: credentialGeneration),
                    message: message)
            }
        }
        guard let messageID else {
            throw refuse(decision, user: user, username: username, purpose: purpose, phone: phone)
        }
        try await send(messageID, challenge: challenge, user: user, username: username, phone: phone, undo: {
            // Nothing went out: the challenge goes, and so does its place in the
            // caps, or an outage would use them up and block SMS after it.
            try self.lock.withLock { _ in
                try self.store.discard(id: id)
                try self.releaseSendSlot(user: user, phone: phone, purpose: purpose, client: signupClient, sentAt: now)
            }
        })
        return ChallengeView(challenge, phone: phone)
    }

    // MARK: verify

    /// Checks `code` against the challenge; on success returns it (now
    /// `verified`, single use) for the caller to act on its purpose.
    ///
    /// - Throws: `TooManyAttempts` while the account's budget is locked
    ///   (nothing else touched); `InvalidCode(attempts_left)` for a wrong
    ///   code (counted per challenge and per account); `ChallengeExpired` for
    ///   an unknown, expired, used or failed challenge.
    public func verify(id rawID: String, code: String) throws -> StoredChallenge {
        let id = ChallengeID(rawValue: rawID)
        // The owner of a challenge never changes: this read only finds whose
        // budget to lock; the decision re-reads the challenge under that lock.
        guard let first = try store.challenge(id: id) else { throw RiegelError.challengeExpired }
        let user = first.challenge.userID
        // One atomic read-decide-write of the budget and the challenge, across
        // riegeld instances (``SMSCounterStore/updateBudget(of:_:)``): two right
        // answers cannot both verify, and every wrong one is counted.
        let decision: SMSVerification = try lock.withLock { _ -> SMSVerification in
            let now = clock.now()
            return try counters.updateBudget(of: user) { storedBudget -> SMSVerification in
                var budget = storedBudget ?? SecondFactorBudget()
                if let error = budget.error(now: now) { return .locked(error) }
                guard var stored = try store.challenge(id: id) else { return .gone }
                let wasPending = stored.challenge.state(at: now) == .pending
                let matches = stored.challenge.codeMatches(code, digester: digester)
                let outcome = stored.challenge.verify(codeMatches: matches, now: now)
                // Gone meanwhile (only a writer outside this lock could do that): no outcome to report.
                guard try store.update(stored.challenge, verifiedAt: outcome == .verified ? now : nil) else {
                    return .gone
                }
                var lockedUntil: Instant?
                // Only a code this call compared counts against the account (a
                // challenge exhausted before refuses without comparing anything).
                let wrong = switch outcome { case .wrong, .exhausted: true; default: false }
                if wrong, wasPending {
                    lockedUntil = countWrongCode(&budget, now: now)
                    storedBudget = budget
                }
                return .decided(outcome, stored, lockedUntil: lockedUntil)
            }
        }
        // Committed: now the side effects, for the outcome that was stored.
        let stored: StoredChallenge
        let outcome: ChallengeVerifyOutcome
        switch decision {
        case .gone:
            throw RiegelError.challengeExpired
        case .locked(let error):
            metrics.secondFactor(.sms, .locked)
            audit.record(.challengeRefused, .failure, user: user, reason: "second_factor_locked",
                         details: ["challenge_id": id.rawValue])
            throw error
        case .decided(let o, let s, let lockedUntil):
            (outcome, stored) = (o, s)
            auditLock(lockedUntil, user: user)
        }
        switch outcome {
        case .verified:
            metrics.secondFactor(.sms, .success)
            if let phone = try? phone(of: stored.challenge) {
                metrics.smsCodeVerified(countryCode: phone.countryCode)
            }
            audit.record(.challengeVerified, .success, user: user, reason: stored.challenge.purpose.rawValue,
                         details: ["challenge_id": id.rawValue])
            return stored
        case .wrong, .exhausted:
            metrics.secondFactor(.sms, outcome == .exhausted ? .exhausted : .wrongCode)
            audit.record(.challengeFailed, .failure, user: user, reason: "wrong_code",
                         details: ["challenge_id": id.rawValue, "attempts_left": "\(stored.challenge.attemptsLeft)"])
            throw outcome.error!
        case .expired, .alreadyUsed:
            metrics.secondFactor(.sms, outcome == .expired ? .expired : .alreadyUsed)
            audit.record(.challengeFailed, .failure, user: user,
                         reason: outcome == .expired ? "expired" : "already_used",
                         details: ["challenge_id": id.rawValue])
            throw outcome.error!
        }
    }

    // MARK: resend

    /// Sends a fresh code for a pending challenge; the previous code stops working.
    ///
    /// The challenge is rewritten inside the account's budget update, like
    /// every check of a code (``verify(id:code:)``), from the challenge as it
    /// is under that lock: a resend racing a check on another riegeld
    /// instance can neither put back a try the check took nor reopen a
    /// challenge the check closed (issue 17).
    ///
    /// - Throws: `ResendTooSoon(retry_after)` within the cooldown,
    ///   `TooManyAttempts` after the last resend or at a send cap,
    ///   `ChallengeExpired` for an unknown or closed challenge, `SmsUnavailable`
    ///   when no gateway took the message (the new code then stays valid and
    ///   queued; the dispatcher keeps trying while it lives).
    public func resend(id rawID: String) async throws -> ChallengeView {
        let id = ChallengeID(rawValue: rawID)
        guard dispatcher.claim(id) else {
            // Another call is sending this challenge's code right now.
            throw RiegelError.resendTooSoon(retryAfterSeconds: 1)
        }
        defer { dispatcher.release(id) }
        let (challenge, phone, messageID): (SMSChallenge, PhoneNumber, Int64) = try lock.withLock { _ in
            let now = clock.now()
            // A first look: a resend that would be refused takes no send slot.
            guard let first = try store.challenge(id: id) else { throw RiegelError.challengeExpired }
            let user = first.challenge.userID
            let phone = try self.phone(of: first.challenge)
            try requireAllowed(phone, user: user, username: nil)
            let code = OneTimeCode.generate(length: first.challenge.codeLength, using: random)
            let digest = digester.digest(code.digestMessage(challengeID: id), purpose: .otp)
            var preview = first.challenge
            if let refusal = Self.resendRefusal(preview.resend(newDigest: digest, now: now), of: first.challenge,
                                                now: now) {
                throw refusal
            }
            try takeSendSlot(user: user, username: nil, phone: phone, purpose: first.challenge.purpose, client: nil,
                             now: now)
            // The decision that counts, on the challenge as it is under the
            // budget's lock (budget, then challenge: the order of `verify`).
            let written: Result<(SMSChallenge, Int64), RiegelError>
            do {
                written = try counters.updateBudget(of: user) { _ in
                    guard let current = try store.challenge(id: id) else { return .failure(.challengeExpired) }
                    var next = current.challenge
                    if let refusal = Self.resendRefusal(next.resend(newDigest: digest, now: now), of: current.challenge,
                                                        now: now) {
                        return .failure(refusal)
                    }
                    let message = try queued(code: code, challenge: next, phone: phone, language: current.language,
                                             now: now)
                    return .success((next, try store.resend(next, message: message)))
                }
            } catch {
                try? releaseSendSlot(user: user, phone: phone, purpose: first.challenge.purpose, client: nil, sentAt: now)
                throw error
            }
            switch written {
            case .success(let (next, messageID)):
                return (next, phone, messageID)
            case .failure(let refusal):
                // The challenge changed since the first look: nothing is sent.
                try releaseSendSlot(user: user, phone: phone, purpose: first.challenge.purpose, client: nil, sentAt: now)
                throw refusal
            }
        }
        try await send(messageID, challenge: challenge, user: challenge.userID, username: nil, phone: phone,
                       undo: nil)
        return ChallengeView(challenge, phone: phone)
    }

    /// The error a resend of `challenge` answers with `outcome`; nil when it is sent.
    private static func resendRefusal(_ outcome: ChallengeResendOutcome, of challenge: SMSChallenge,
                                      now: Instant) -> RiegelError? {
        switch outcome {
        case .sent: return nil
        case .tooSoon(let seconds): return .resendTooSoon(retryAfterSeconds: seconds)
        case .limitReached:
            return .tooManyAttempts(retryAfterSeconds: max(1, Int(challenge.expiresAt.seconds(since: now).rounded(.up))))
        case .expired, .closed: return .challengeExpired
        }
    }

    // MARK: maintenance

    /// Sends and conversion per country since `since`.
    public func stats(since: Instant) throws -> [SMSCountryStats] {
        try store.stats(since: since)
    }

    /// Challenges waiting for their code now.
    public func pendingCount() throws -> Int {
        try store.pendingCount(now: clock.now())
    }

    /// Removes finished challenges, old message rows and idle send windows.
    @discardableResult
    public func purge() throws -> Int {
        let now = clock.now()
        let removed = try store.purge(now: now, statsBefore: now.adding(seconds: -policy.statsRetention))
        return removed + (try counters.purgeSendWindows(before: now.adding(seconds: -policy.caps.window)))
    }

    /// Ends the user's pending challenges (a password change or reset, a
    /// lock): their codes stop working and unsent ones are not sent. Under
    /// the account's budget lock, like every check and resend of them
    /// (``SMSCounterStore/updateBudget(of:_:)``, across riegeld instances):
    /// a check on another instance that has read a challenge as pending
    /// writes its outcome first, and a check after the end finds nothing.
    @discardableResult
    public func endPending(of user: UserID, reason: String) throws -> Int {
        let ended = try lock.withLock { _ in
            try counters.updateBudget(of: user) { _ in try store.endPending(of: user) }
        }
        if ended > 0 {
            audit.record(.challengeEnded, .success, user: user, reason: reason, details: ["count": "\(ended)"])
        }
        return ended
    }

    /// An admin unlock of the account's wrong-code budget.
    public func unlockBudget(of user: UserID) throws {
        // Through the budget's lock, like every other write of it.
        try lock.withLock { _ in try counters.updateBudget(of: user) { $0 = SecondFactorBudget() } }
    }

    // MARK: steps

    /// Refuses numbers whose country left the allowlist since they were enrolled.
    private func requireAllowed(_ phone: PhoneNumber, user: UserID, username: String?) throws {
        do {
            try policy.allowlist.check(phone)
        } catch {
            audit.record(.smsRefused, .failure, user: user, username: username, reason: "invalid_phone_number",
                         details: ["detail": Self.reasonName(error)])
            throw RiegelError.invalidPhoneNumber(reason: Self.reasonText(error))
        }
    }

    /// The send-window keys of a send from `budget` to `phone` for `user`
    /// (and, for a sign-up, from `client`). The login budget keeps the keys
    /// of before the split (`phone:…`, `country:…`, `global`); the enrolment
    /// budget's are prefixed `enrol:`; the user's window is shared.
    private func capKeys(_ budget: SMSSendBudget, user: UserID, phone: PhoneNumber, client: String?)
        -> [SMSCapKind: String] {
        let prefix = budget == .login ? "" : "enrol:"
        var keys: [SMSCapKind: String] = [
            .phone: Self.phoneCapKey(budget, digester.digest(phone.lookupKey, purpose: .pii)),
            .user: "user:" + user.rawValue, .country: prefix + "country:" + phone.countryCode, .global: prefix + "global"]
        if budget == .enrolment, let client { keys[.client] = "enrol:client:" + client }
        return keys
    }

    /// The send-window key of a number in `budget`, by its blind index `index`.
    private static func phoneCapKey(_ budget: SMSSendBudget, _ index: KeyedDigest) -> String {
        (budget == .login ? "" : "enrol:") + "phone:" + Hex.encode(index.bytes)
    }

    /// Runs `body` on the windows under `keys` (an empty one where none is
    /// stored) as one atomic read-modify-write of the counter store
    /// (``SMSCounterStore/updateSendWindows(_:now:_:)``: across riegeld
    /// instances too), storing the windows it changed.
    ///
    /// A phone without a window under its index of the active `pii` key takes
    /// the one under its index of an older key: a key rotation must not
    /// restart the per-number caps (the write moves it to the active key's
    /// index). The older keys' windows are only read when the active one has
    /// none: then the update runs a second time with them.
    private func updateWindows<T>(_ keys: [SMSCapKind: String], budget: SMSSendBudget, phone: PhoneNumber, now: Instant,
                                  _ body: (inout [SMSCapKind: SMSSendWindow]) -> T) throws -> T {
        let kinds = SMSCapKind.allCases.filter { keys[$0] != nil }
        let older = digester.allDigests(phone.lookupKey, purpose: .pii).dropFirst()
            .map { Self.phoneCapKey(budget, $0) }
        var withOlder = false
        while true {
            let storeKeys = kinds.map { keys[$0]! } + (withOlder ? older : [])
            let result: T? = try counters.updateSendWindows(storeKeys, now: now) { stored in
                var w: [SMSCapKind: SMSSendWindow] = [:]
                for (i, kind) in kinds.enumerated() { w[kind] = stored[i] }
                if w[.phone] == nil, keys[.phone] != nil, !older.isEmpty {
                    guard withOlder else { return nil }
                    w[.phone] = stored[kinds.count...].lazy.compactMap { $0 }.first
                }
                for kind in kinds where w[kind] == nil { w[kind] = SMSSendWindow() }
                let before = w
                let result = body(&w)
                for (i, kind) in kinds.enumerated() where w[kind] != before[kind] { stored[i] = w[kind] }
                return result
            }
            if let result { return result }
            withOlder = true
        }
    }

    /// Takes back a send recorded at `sentAt` (under ``lock``).
    private func releaseSendSlot(user: UserID, phone: PhoneNumber, purpose: ChallengePurpose, client: String?,
                                 sentAt: Instant) throws {
        let budget = SMSSendBudget(purpose)
        let keys = capKeys(budget, user: user, phone: phone, client: client)
        let now = clock.now()
        try updateWindows(keys, budget: budget, phone: phone, now: now) { w in
            policy.caps.forget(windows: &w, sendAt: sentAt, now: now)
        }
    }

    /// Checks the caps of the send's budget and records the send on them, in
    /// one atomic update of the windows (under ``lock``; across instances by
    /// the store). A refusal is audited as `sms.capped` with the cap
    /// (`reason`) and the budget (`details.budget`).
    private func takeSendSlot(user: UserID, username: String?, phone: PhoneNumber, purpose: ChallengePurpose,
                              client: String?, now: Instant) throws {
        let decision = try reserveSendSlot(user: user, phone: phone, purpose: purpose, client: client, now: now)
        guard decision == .allowed else {
            throw refuse(decision, user: user, username: username, purpose: purpose, phone: phone)
        }
    }

    /// Takes a place in every send window of `purpose`'s budget, or returns
    /// the cap that refuses (then nothing is written). Audits nothing, so
    /// that it can run inside a transaction that may roll back.
    private func reserveSendSlot(user: UserID, phone: PhoneNumber, purpose: ChallengePurpose, client: String?,
                                 now: Instant) throws -> SMSCapDecision {
        let budget = SMSSendBudget(purpose)
        let keys = capKeys(budget, user: user, phone: phone, client: client)
        return try updateWindows(keys, budget: budget, phone: phone, now: now) { w in
            let decision = policy.caps.check(budget, windows: w, now: now)
            if decision == .allowed { policy.caps.record(windows: &w, now: now) }
            return decision
        }
    }

    /// Audits a send a cap refused (`decision` is `capped`); returns the error to throw.
    private func refuse(_ decision: SMSCapDecision, user: UserID, username: String?, purpose: ChallengePurpose,
                        phone: PhoneNumber) -> RiegelError {
        guard case .capped(let kind, let retryAfter) = decision else {
            preconditionFailure("refuse is called for a capped send only")
        }
        audit.record(.smsCapped, .failure, user: user, username: username, reason: kind.rawValue,
                     details: ["purpose": purpose.rawValue, "budget": SMSSendBudget(purpose).rawValue,
                               "country_code": phone.countryCode, "retry_after": "\(retryAfter)"])
        return .tooManyAttempts(retryAfterSeconds: retryAfter)
    }

    /// The outbox row for `code`, its text rendered and sealed.
    private func queued(code: OneTimeCode, challenge: SMSChallenge, phone: PhoneNumber, language: String?,
                        now: Instant) throws -> QueuedSMS {
        let text = policy.templates.render(code: code, language: language)
        return QueuedSMS(challengeID: challenge.id, purpose: challenge.purpose, countryCode: phone.countryCode,
                         payload: try dispatcher.seal(SMSMessage(to: phone.e164, text: text), challengeID: challenge.id),
                         createdAt: now, expiresAt: challenge.expiresAt)
    }

    /// Delivers a queued message while the caller waits; audits the outcome.
    private func send(_ messageID: Int64, challenge: SMSChallenge, user: UserID, username: String?, phone: PhoneNumber,
                      undo: (() throws -> Void)?) async throws {
        let deadline = clock.now().adding(seconds: policy.sendDeadline)
        let details = ["challenge_id": challenge.id.rawValue, "purpose": challenge.purpose.rawValue,
                       "phone": AuditPhoneMask.mask(phone.e164)]
        if await dispatcher.deliver(id: messageID, challengeID: challenge.id, until: deadline) {
            audit.record(.smsSent, .success, user: user, username: username, details: details)
            return
        }
        audit.record(.smsUnavailable, .failure, user: user, username: username,
                     reason: undo == nil ? "queued" : "undone", details: details)
        try undo?()
        throw RiegelError.smsUnavailable
    }

    /// Counts `weight` wrong codes on `budget`; returns when it locked, if it
    /// did (pure: the caller stores the budget, then audits the lock).
    func countWrongCode(_ budget: inout SecondFactorBudget, now: Instant, weight: Int = 1) -> Instant? {
        var locked: Instant?
        for _ in 0..<max(1, weight) {
            locked = budget.recordFailure(now: now, policy: policy.budget) ?? locked
        }
        return locked
    }

    /// Audits that the account's budget locked until `until` (after the commit).
    func auditLock(_ until: Instant?, user: UserID) {
        guard let until else { return }
        audit.record(.secondFactorLocked, .failure, user: user, reason: "too_many_wrong_codes",
                     details: ["until": RFC3339.format(until)])
    }

    static func accountAAD(_ user: UserID) -> [UInt8] { Array(("phone:" + user.rawValue).utf8) }
    static func challengeAAD(_ id: ChallengeID) -> [UInt8] { Array(("challenge:" + id.rawValue).utf8) }

    /// The caller's words for why a number was refused.
    static func reasonText(_ error: any Error) -> String {
        (error as? InvalidPhoneNumber)?.description ?? "the phone number is not valid"
    }

    /// A stable name for why a number was refused (no digits of it).
    static func reasonName(_ error: any Error) -> String {
        guard let reason = error as? InvalidPhoneNumber else { return "invalid" }
        switch reason {
        case .empty: return "empty"
        case .invalidCharacter: return "invalid_character"
        case .missingCountryCode: return "missing_country_code"
        case .unknownCountryCode: return "unknown_country_code"
        case .countryNotAllowed(let cc): return "country_not_allowed:" + cc
        case .shortCode: return "short_code"
        case .tooShort: return "too_short"
        case .tooLong: return "too_long"
        case .malformed: return "malformed"
        case .specialRange: return "special_range"
        case .notMobile: return "not_mobile"
        }
    }
}

/// What a verification decided under the budget's lock (applied, audited after the commit).
enum SMSVerification: Sendable {
    /// The account's budget is locked: nothing compared, nothing stored.
    case locked(RiegelError)
    /// The challenge went between the first read and the lock.
    case gone
    /// The stored outcome, the challenge as stored, and when the budget locked (if this call locked it).
    case decided(ChallengeVerifyOutcome, StoredChallenge, lockedUntil: Instant?)
}
