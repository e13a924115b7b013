import Foundation
import RiegelCore
import Synchronization

/// The rules every ``SMSCounterStore`` must keep. Call ``run(_:)`` with a
/// factory for empty stores; it throws ``ConformanceFailure`` on the first
/// broken rule.
public enum SMSCounterStoreConformance {
    /// A store under test, its account store, and its send-window rows as
    /// stored text, read and written behind the store's back (the old row
    /// format, the size of what is stored).
    public struct Subject: Sendable {
        public var store: any SMSCounterStore
        public var accounts: any AccountStore
        /// The stored text of the send window under a key (nil: no row).
        public var storedWindow: @Sendable (String) throws -> String?
        /// Writes a send window's row as `text`.
        public var storeWindowText: @Sendable (_ key: String, _ text: String) throws -> Void
        /// The SMS challenge store on the same database (or the fake beside
        /// the fake counter store), for the verification rules.
        public var challenges: any SMSChallengeStore

        /// Pairs `store` with `accounts` (one database or one ``InMemoryStoreData``) and raw row access.
        public init(store: any SMSCounterStore, accounts: any AccountStore,
                    storedWindow: @escaping @Sendable (String) throws -> String?,
                    storeWindowText: @escaping @Sendable (String, String) throws -> Void,
                    challenges: any SMSChallengeStore) {
            self.challenges = challenges
            self.store = store
            self.accounts = accounts
            self.storedWindow = storedWindow
            self.storeWindowText = storeWindowText
        }
    }

    /// Every rule, by name, each run against a fresh store.
    public static let checks: [(name: String, body: @Sendable (Subject) throws -> Void)] = [
        ("sendWindowsLoadBackAndPurgeByAge", sendWindowsLoadBackAndPurgeByAge),
        ("updateSeesStoredWindowsAndStoresWhatItChanged", updateSeesStoredWindowsAndStoresWhatItChanged),
        ("updateThatThrowsStoresNothing", updateThatThrowsStoresNothing),
        ("concurrentSendsNeverExceedTheCap", concurrentSendsNeverExceedTheCap),
        ("slotsFreeOnceTheWindowHasPassed", slotsFreeOnceTheWindowHasPassed),
        ("storedStateStaysBoundedWithTenThousandSends", storedStateStaysBoundedWithTenThousandSends),
        ("rowsOfTheOldFormatLoadAndAreRewrittenInTheNewOne", rowsOfTheOldFormatLoadAndAreRewrittenInTheNewOne),
        ("budgetsLoadBackPerAccount", budgetsLoadBackPerAccount),
        ("budgetUpdateStoresWhatItChangedAndNothingOnThrow", budgetUpdateStoresWhatItChangedAndNothingOnThrow),
        ("concurrentBudgetUpdatesCountEveryFailure", concurrentBudgetUpdatesCountEveryFailure),
        ("concurrentRightAnswersVerifyAChallengeOnce", concurrentRightAnswersVerifyAChallengeOnce),
        ("concurrentWrongAnswersCountEveryAttemptAndFailure", concurrentWrongAnswersCountEveryAttemptAndFailure),
    ]

    /// Runs every rule, each against a fresh store from `makeStore`.
    public static func run(_ makeStore: () throws -> Subject) throws {
        for check in checks {
            let subject = try makeStore()
            try StoreConformance.check("SMSCounterStore", check.name) { try check.body(subject) }
        }
    }

    typealias C = StoreConformance

    static let hour = 3600.0

    static func window(_ sends: [Double]) -> SMSSendWindow {
        SMSSendWindow(sends: sends.map(C.at), window: hour)
    }

    /// One send at `now` against `cap` on every key, as ``SMSSendCaps`` takes
    /// a slot: check and record in one update. True if it was let through.
    static func take(_ store: any SMSCounterStore, _ keys: [String], cap: Int, now: Instant) throws -> Bool {
        try store.updateSendWindows(keys, now: now) { windows in
            let current = windows.map { $0 ?? SMSSendWindow() }
            guard current.allSatisfy({ $0.retryAfter(now: now, cap: cap, window: hour) == nil }) else { return false }
            for i in windows.indices {
                var w = current[i]
                w.record(now: now, window: hour)
                windows[i] = w
            }
            return true
        }
    }

    static func sendWindowsLoadBackAndPurgeByAge(_ s: Subject) throws {
        try C.expect(try s.store.sendWindow("global") == nil, "an unknown key has no window")
        let w = window([1, 2])
        try s.store.updateSendWindows(["global", "user:a"], now: C.at(3)) { $0 = [w, window([3])] }
        try C.expect(try s.store.sendWindow("global") == w, "a saved window loads back unchanged")
        try s.store.updateSendWindows(["user:a"], now: C.at(100)) { $0 = [window([3, 100])] }
        try C.expect(try s.store.purgeSendWindows(before: C.at(50)) == 1, "only the window untouched since the cutoff goes")
        try C.expect(try s.store.sendWindow("global") == nil && s.store.sendWindow("user:a") != nil, "purge kept the wrong one")
    }

    static func updateSeesStoredWindowsAndStoresWhatItChanged(_ s: Subject) throws {
        try s.store.updateSendWindows(["global"], now: C.at(1)) { $0 = [window([1])] }
        let seen = try s.store.updateSendWindows(["global", "country:49"], now: C.at(2)) { windows -> [SMSSendWindow?] in
            let seen = windows
            windows[1] = window([2])
            return seen
        }
        try C.expect(seen == [window([1]), nil], "update hands over the stored window, and nil for an unknown key")
        try C.expect(try s.store.sendWindow("global") == window([1]), "an unchanged window stays as stored")
        try C.expect(try s.store.sendWindow("country:49") == window([2]), "a changed window is stored")
        try s.store.updateSendWindows(["user:x"], now: C.at(2)) { _ in }
        try C.expect(try s.store.sendWindow("user:x") == nil, "an untouched unknown key gets no row")
        try s.store.updateSendWindows(["country:49"], now: C.at(3)) { $0 = [nil] }
        try C.expect(try s.store.sendWindow("country:49") == nil, "a window set to nil is removed")
    }

    struct Refused: Error {}

    static func updateThatThrowsStoresNothing(_ s: Subject) throws {
        try s.store.updateSendWindows(["global"], now: C.at(1)) { $0 = [window([1])] }
        try C.expectThrows("the body's error must come through") {
            try s.store.updateSendWindows(["global", "user:a"], now: C.at(2)) { windows in
                windows = [window([1, 2]), window([2])]
                throw Refused()
            }
        }
        try C.expect(try s.store.sendWindow("global") == window([1]) && s.store.sendWindow("user:a") == nil,
                     "a body that throws must leave every window as it was")
    }

    /// 60 sends at once against a cap of 25 on two shared keys: exactly 25 go
    /// through, and both windows count 25 (no update was lost or let past the cap).
    static func concurrentSendsNeverExceedTheCap(_ s: Subject) throws {
        let allowed = Mutex(0)
        let errors = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 60) { i in
            do {
                if try take(s.store, ["global", "country:49", "user:\(i)"], cap: 25, now: C.at(Double(i) / 10)) {
                    allowed.withLock { $0 += 1 }
                }
            } catch {
                errors.withLock { $0 += 1 }
            }
        }
        try C.expect(errors.withLock { $0 } == 0, "no update may fail")
        try C.expect(allowed.withLock { $0 } == 25, "exactly the cap of 25 may go through, not \(allowed.withLock { $0 })")
        for key in ["global", "country:49"] {
            let counted = try s.store.sendWindow(key)?.count(now: C.at(10), window: hour)
            try C.expect(counted == 25, "\(key) must count the 25 sends, not \(counted ?? 0)")
        }
    }

    /// At the cap, sends are refused until the window (and at most one
    /// bucket more) has passed since the oldest, then let through again.
    static func slotsFreeOnceTheWindowHasPassed(_ s: Subject) throws {
        for i in 0..<3 {
            try C.expect(try take(s.store, ["phone:ab"], cap: 3, now: C.at(Double(i) * 100)), "send \(i) is under the cap")
        }
        try C.expect(try !take(s.store, ["phone:ab"], cap: 3, now: C.at(200)), "the 4th send in the hour is refused")
        try C.expect(try !take(s.store, ["phone:ab"], cap: 3, now: C.at(hour - 0.001)),
                     "still refused just before the first send is an hour old")
        let width = SMSSendWindow.bucketWidth(window: hour)
        try C.expect(try take(s.store, ["phone:ab"], cap: 3, now: C.at(hour + width)),
                     "let through once the first send's bucket has left the window")
        try C.expect(try !take(s.store, ["phone:ab"], cap: 3, now: C.at(hour + width)), "and the cap holds again")
    }

    /// The per-send work does not grow with the cap: a window counting 10 000
    /// sends (a legal `cap_global`) is stored in a bounded number of bytes,
    /// and stays so as sends go on.
    static func storedStateStaysBoundedWithTenThousandSends(_ s: Subject) throws {
        let sends = (0..<10_000).map { Double($0) * 0.35 }
        try s.store.updateSendWindows(["global"], now: C.at(3500)) { $0 = [window(sends)] }
        for i in 0..<20 {
            try C.expect(try take(s.store, ["global"], cap: 100_000, now: C.at(3500 + Double(i))), "under the cap")
        }
        let stored = try s.storedWindow("global") ?? ""
        try C.expect(stored.utf8.count < 2_000, "10 020 sends must be stored in under 2 000 bytes, not \(stored.utf8.count)")
        let loaded = try s.store.sendWindow("global")
        try C.expect(loaded?.count(now: C.at(3550), window: hour) == 10_020, "and every one of them counted")
        try C.expect((loaded?.buckets.count ?? .max) <= SMSSendWindow.bucketsPerWindow + 1, "in at most N + 1 buckets")
    }

    /// A row written before the bucket format (one time per send) loads with
    /// every send counted for at least the window, and the next update stores
    /// it in the bucket format.
    static func rowsOfTheOldFormatLoadAndAreRewrittenInTheNewOne(_ s: Subject) throws {
        let times = [10.5, 11.25, 700.0, 3000.75]
        let old = #"{"sends":["# + times.map { #"{"secondsSinceEpoch":\#(C.at($0).secondsSinceEpoch)}"# }
            .joined(separator: ",") + "]}"
        try s.storeWindowText("country:49", old)
        let loaded = try s.store.sendWindow("country:49")
        try C.expect(loaded?.count(now: C.at(3001), window: hour) == 4, "every send of the old row counts")
        try C.expect((loaded?.count(now: C.at(10.5 + hour - 0.001), window: hour) ?? 0) >= 4,
                     "the oldest still counts just before it is an hour old")
        try C.expect(try !take(s.store, ["country:49"], cap: 4, now: C.at(3001)), "the old row's sends fill a cap of 4")
        try C.expect(try take(s.store, ["country:49"], cap: 5, now: C.at(3002)), "and leave room under a cap of 5")
        let stored = try s.storedWindow("country:49") ?? ""
        try C.expect(stored.contains("\"buckets\"") && !stored.contains("secondsSinceEpoch"),
                     "the update stores the bucket format, got \(stored)")
        try C.expect(try s.store.sendWindow("country:49")?.count(now: C.at(3002), window: hour) == 5, "with all 5 sends")
    }

    static func budgetsLoadBackPerAccount(_ s: Subject) throws {
        let a = try C.account(1)
        let b = try C.account(2)
        try s.accounts.create(a)
        try s.accounts.create(b)
        var budget = SecondFactorBudget()
        budget.recordFailure(now: C.at(1))
        try s.store.updateBudget(of: a.id) { $0 = budget }
        try C.expect(try s.store.budget(of: a.id) == budget, "a stored budget loads back unchanged")
        try C.expect(try s.store.budget(of: b.id) == nil, "budgets are per account")
        try s.store.updateBudget(of: a.id) { $0 = SecondFactorBudget() }
        try C.expect(try s.store.budget(of: a.id) == SecondFactorBudget(), "an update replaces the budget")
    }

    // MARK: budgets and verification (issue 17)

    /// A budget that never locks in these rules: every failure stays counted.
    static let roomyBudget: SecondFactorBudgetPolicy = {
        do { return try SecondFactorBudgetPolicy(threshold: 10_000) } catch { preconditionFailure("\(error)") }
    }()

    static func budgetUpdateStoresWhatItChangedAndNothingOnThrow(_ s: Subject) throws {
        let a = try C.account(1)
        try s.accounts.create(a)
        let seen = try s.store.updateBudget(of: a.id) { budget -> SecondFactorBudget? in
            let seen = budget
            var b = SecondFactorBudget()
            b.recordFailure(now: C.at(1), policy: roomyBudget)
            budget = b
            return seen
        }
        try C.expect(seen == nil, "an account without a budget is read as nil")
        try C.expect(try s.store.budget(of: a.id)?.failures == [C.at(1)], "the changed budget is stored")
        struct Refused: Error {}
        do {
            try s.store.updateBudget(of: a.id) { budget in
                budget = SecondFactorBudget()
                throw Refused()
            }
            throw ConformanceFailure("updateBudget must rethrow the body's error")
        } catch is Refused {}
        try C.expect(try s.store.budget(of: a.id)?.failures == [C.at(1)], "a body that throws stores nothing")
    }

    /// N concurrent wrong codes of one account count N failures (the lost
    /// update of a read-then-save would count fewer).
    static func concurrentBudgetUpdatesCountEveryFailure(_ s: Subject) throws {
        let a = try C.account(1)
        try s.accounts.create(a)
        let errors = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 40) { i in
            do {
                try s.store.updateBudget(of: a.id) { budget in
                    var b = budget ?? SecondFactorBudget()
                    b.recordFailure(now: C.at(Double(i) / 100), policy: roomyBudget)
                    budget = b
                }
            } catch {
                errors.withLock { $0 += 1 }
            }
        }
        try C.expect(errors.withLock { $0 } == 0, "no update may fail")
        let counted = try s.store.budget(of: a.id)?.failures.count
        try C.expect(counted == 40, "40 concurrent failures must count 40, not \(counted ?? 0)")
    }

    /// One verification as the service runs it: inside the account's budget
    /// update, re-read the challenge, decide, save it; a wrong code compared
    /// on a pending challenge counts against the budget.
    public static func verifyOnce(_ s: Subject, _ id: ChallengeID, user: UserID, right: Bool,
                           now: Instant) throws -> ChallengeVerifyOutcome? {
        try s.store.updateBudget(of: user) { budget in
            guard var stored = try s.challenges.challenge(id: id) else { return nil }
            let wasPending = stored.challenge.state(at: now) == .pending
            let outcome = stored.challenge.verify(codeMatches: right, now: now)
            try s.challenges.update(stored.challenge, verifiedAt: outcome == .verified ? now : nil)
            if wasPending, outcome != .verified {
                var b = budget ?? SecondFactorBudget()
                b.recordFailure(now: now, policy: roomyBudget)
                budget = b
            }
            return outcome
        }
    }

    /// The time `seconds` after ``storedChallenge(_:user:attempts:)`` starts its challenge.
    public static func afterStart(_ seconds: Double) -> Instant { C.at(seconds) }

    /// Stores a pending SMS challenge of `user` allowing `attempts` wrong codes; returns its id.
    public static func storedChallenge(_ s: Subject, user: UserID, attempts: Int) throws -> ChallengeID {
        let policy = try SMSChallengePolicy(maxAttempts: attempts)
        let id = ChallengeID(rawValue: "c_" + String(repeating: "7", count: 32))
        let c = SMSChallenge.start(id: id, purpose: .login, userID: user, sessionID: nil,
                                   sealedPhone: SealedSecret(bytes: C.bytes(1, count: 40), keyID: KeyID(rawValue: 2)),
                                   codeDigest: KeyedDigest(bytes: C.bytes(51), keyID: KeyID(rawValue: 4)),
                                   policy: policy, now: C.at(0))
        _ = try s.challenges.create(StoredChallenge(challenge: c), message: QueuedSMS(
            challengeID: id, purpose: .login, countryCode: "49",
            payload: SealedSecret(bytes: C.bytes(7, count: 60), keyID: KeyID(rawValue: 4)),
            createdAt: C.at(0), expiresAt: c.expiresAt))
        return id
    }

    /// Many concurrent right answers to one challenge: exactly one verifies,
    /// the others find it used (one code, one session).
    static func concurrentRightAnswersVerifyAChallengeOnce(_ s: Subject) throws {
        let a = try C.account(1)
        try s.accounts.create(a)
        let id = try storedChallenge(s, user: a.id, attempts: 5)
        let outcomes = Mutex([ChallengeVerifyOutcome?]())
        let errors = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 24) { i in
            do {
                let o = try verifyOnce(s, id, user: a.id, right: true, now: C.at(1 + Double(i) / 100))
                outcomes.withLock { $0.append(o) }
            } catch {
                errors.withLock { $0 += 1 }
            }
        }
        try C.expect(errors.withLock { $0 } == 0, "no verification may fail")
        let verified = outcomes.withLock { $0.filter { $0 == .verified }.count }
        try C.expect(verified == 1, "exactly one of 24 concurrent right answers may verify, not \(verified)")
        try C.expect(outcomes.withLock { $0.filter { $0 == .alreadyUsed }.count } == 23, "the others find it used")
        try C.expect(try s.challenges.challenge(id: id)?.challenge.state == .verified, "the challenge is stored verified")
    }

    /// Many concurrent wrong answers: the challenge's attempts and the
    /// account's budget count every compared one.
    static func concurrentWrongAnswersCountEveryAttemptAndFailure(_ s: Subject) throws {
        let a = try C.account(1)
        try s.accounts.create(a)
        let attempts = 30
        let id = try storedChallenge(s, user: a.id, attempts: attempts)
        let compared = Mutex(0)
        let errors = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 40) { i in
            do {
                switch try verifyOnce(s, id, user: a.id, right: false, now: C.at(1 + Double(i) / 100)) {
                case .wrong?, .exhausted?: compared.withLock { $0 += 1 }
                default: break
                }
            } catch {
                errors.withLock { $0 += 1 }
            }
        }
        try C.expect(errors.withLock { $0 } == 0, "no verification may fail")
        let stored = try s.challenges.challenge(id: id)?.challenge
        try C.expect(stored?.attemptsLeft == 0 && stored?.state == .failed,
                     "\(attempts) attempts must be used up by 40 wrong answers, \(stored?.attemptsLeft ?? -1) left")
        let failures = try s.store.budget(of: a.id)?.failures.count
        try C.expect(failures == attempts,
                     "the budget must count each of the \(attempts) compared wrong codes, not \(failures ?? 0)")
        try C.expect(compared.withLock { $0 } == 40, "every wrong answer is refused as one")
    }
}
