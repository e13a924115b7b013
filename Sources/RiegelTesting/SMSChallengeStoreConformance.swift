import RiegelCore

/// The rules every ``SMSChallengeStore`` must keep. Call ``run(_:)`` with a
/// factory for empty stores (paired with an account store on the same data);
/// it throws ``ConformanceFailure`` on the first broken rule.
public enum SMSChallengeStoreConformance {
    public typealias Subject = StoreWithAccounts<any SMSChallengeStore>

    /// Every rule, by name, each run against a fresh store.
    public static let checks: [(name: String, body: @Sendable (Subject) throws -> Void)] = [
        ("createdChallengeAndMessageLoadBack", createdChallengeAndMessageLoadBack),
        ("updateSavesTheStateAndMarksConversion", updateSavesTheStateAndMarksConversion),
        ("updateOfAChallengeThatIsGoneWritesNothing", updateOfAChallengeThatIsGoneWritesNothing),
        ("resendSavesTheChallengeAndGivesUpUnsentOldMessages", resendSavesTheChallengeAndGivesUpUnsentOldMessages),
        ("discardLeavesNothingOfTheChallenge", discardLeavesNothingOfTheChallenge),
        ("dueMessagesAreUnsentAliveAndDue", dueMessagesAreUnsentAliveAndDue),
        ("markSentAndGivingUpWipeThePayload", markSentAndGivingUpWipeThePayload),
        ("purgeRemovesFinishedChallengesAndOldRows", purgeRemovesFinishedChallengesAndOldRows),
        ("statsCountSendsAndConversionPerCountry", statsCountSendsAndConversionPerCountry),
        ("noticeIsQueuedDueAndCountsAsConverted", noticeIsQueuedDueAndCountsAsConverted),
    ]

    /// Runs every rule, each against a fresh store from `makeStore`.
    public static func run(_ makeStore: () throws -> Subject) throws {
        for check in checks {
            let subject = try makeStore()
            try StoreConformance.check("SMSChallengeStore", check.name) { try check.body(subject) }
        }
    }

    typealias C = StoreConformance

    static func challenge(_ n: Int, user: UserID, at start: Instant = C.at(0)) -> SMSChallenge {
        SMSChallenge.start(
            id: ChallengeID(rawValue: "c_" + String(repeating: "0", count: 30) + String(format2(n))),
            purpose: .login, userID: user, sessionID: nil,
            sealedPhone: SealedSecret(bytes: C.bytes(UInt8(n), count: 40), keyID: KeyID(rawValue: 2)),
            codeDigest: KeyedDigest(bytes: C.bytes(UInt8(50 + n)), keyID: KeyID(rawValue: 4)), now: start)
    }

    static func format2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    static func message(for c: SMSChallenge, country: String = "49", seed: UInt8 = 7) -> QueuedSMS {
        QueuedSMS(challengeID: c.id, purpose: c.purpose, countryCode: country,
                  payload: SealedSecret(bytes: C.bytes(seed, count: 60), keyID: KeyID(rawValue: 4)),
                  createdAt: c.lastSentAt, expiresAt: c.expiresAt)
    }

    static func withAccount(_ s: Subject, _ n: Int = 1) throws -> UserID {
        let account = try C.account(n)
        try s.accounts.create(account)
        return account.id
    }

    static func createdChallengeAndMessageLoadBack(_ s: Subject) throws {
        let user = try withAccount(s)
        let c = challenge(1, user: user)
        let reset = PendingPasswordReset(tokenDigest: C.bytes(9),
                                         passwordHash: SealedSecret(bytes: C.bytes(10, count: 90), keyID: KeyID(rawValue: 1)))
        let id = try s.store.create(StoredChallenge(challenge: c, language: "en", pendingReset: reset), message: message(for: c))
        let loaded = try s.store.challenge(id: c.id)
        try C.expect(loaded == StoredChallenge(challenge: c, language: "en", pendingReset: reset),
                     "a stored challenge must load back unchanged, got \(String(describing: loaded))")
        let m = try s.store.message(id: id)
        var expected = message(for: c)
        expected.id = id
        try C.expect(m == expected, "the queued message must load back unchanged, got \(String(describing: m))")
        try C.expect(try s.store.challenge(id: challenge(2, user: user).id) == nil, "an unknown id must load nothing")
    }

    static func updateSavesTheStateAndMarksConversion(_ s: Subject) throws {
        let user = try withAccount(s)
        var c = challenge(1, user: user)
        _ = try s.store.create(StoredChallenge(challenge: c), message: message(for: c))
        _ = c.verify(codeMatches: false, now: C.at(10))
        try s.store.update(c, verifiedAt: nil)
        try C.expect(try s.store.challenge(id: c.id)?.challenge == c, "a wrong attempt must be saved")
        try s.store.markSent(id: 1, at: C.at(1), gateway: "g")
        _ = c.verify(codeMatches: true, now: C.at(20))
        try s.store.update(c, verifiedAt: C.at(20))
        try C.expect(try s.store.challenge(id: c.id)?.challenge.state == .verified, "the verified state must be saved")
        let stats = try s.store.stats(since: C.at(-60))
        try C.expect(stats.first?.verified == 1, "a verified challenge must count as converted, got \(stats)")
    }

    /// A check that read a challenge which was ended before its write: the
    /// write reports it and neither brings the challenge back nor counts a
    /// conversion.
    static func updateOfAChallengeThatIsGoneWritesNothing(_ s: Subject) throws {
        let user = try withAccount(s)
        var c = challenge(1, user: user)
        _ = try s.store.create(StoredChallenge(challenge: c), message: message(for: c))
        try C.expect(try s.store.endPending(of: user) == 1, "the pending challenge must end")
        _ = c.verify(codeMatches: true, now: C.at(20))
        try C.expect(try s.store.update(c, verifiedAt: C.at(20)) == false, "an update of an ended challenge must say so")
        try C.expect(try s.store.challenge(id: c.id) == nil, "an update must not bring an ended challenge back")
        let stats = try s.store.stats(since: C.at(-60))
        try C.expect(stats.allSatisfy { $0.verified == 0 }, "an ended challenge must not count as converted, got \(stats)")
        try C.expect(try s.store.update(challenge(2, user: user), verifiedAt: nil) == false,
                     "an update of an unknown challenge must say so")
    }

    static func resendSavesTheChallengeAndGivesUpUnsentOldMessages(_ s: Subject) throws {
        let user = try withAccount(s)
        var c = challenge(1, user: user)
        let first = try s.store.create(StoredChallenge(challenge: c), message: message(for: c))
        let newDigest = KeyedDigest(bytes: C.bytes(99), keyID: KeyID(rawValue: 4))
        try C.expect(c.resend(newDigest: newDigest, now: C.at(40)) == .sent, "test setup: the resend must be allowed")
        let second = try s.store.resend(c, message: message(for: c, seed: 8))
        try C.expect(second != first, "a resend must queue a new message")
        try C.expect(try s.store.challenge(id: c.id)?.challenge.codeDigest == newDigest, "the new digest must be saved")
        try C.expect(try s.store.message(id: first)?.payload == nil, "the unsent old code must not be sent any more")
        try C.expect(try s.store.message(id: second)?.payload != nil, "the new message keeps its payload")
    }

    static func discardLeavesNothingOfTheChallenge(_ s: Subject) throws {
        let user = try withAccount(s)
        let c = challenge(1, user: user)
        let id = try s.store.create(StoredChallenge(challenge: c), message: message(for: c))
        try s.store.discard(id: c.id)
        try C.expect(try s.store.challenge(id: c.id) == nil, "a discarded challenge must be gone")
        try C.expect(try s.store.message(id: id) == nil, "a discarded challenge's message must be gone")
        try C.expect(try s.store.stats(since: C.at(-60)).isEmpty, "a discarded challenge must not count in stats")
    }

    static func dueMessagesAreUnsentAliveAndDue(_ s: Subject) throws {
        let user = try withAccount(s)
        let a = challenge(1, user: user)
        let b = challenge(2, user: user, at: C.at(100))
        let ma = try s.store.create(StoredChallenge(challenge: a), message: message(for: a))
        let mb = try s.store.create(StoredChallenge(challenge: b), message: message(for: b))
        try C.expect(try s.store.dueMessages(now: C.at(50), limit: 10).map(\.id) == [ma], "only the due message is due")
        try s.store.markFailed(id: ma, attempts: 1, nextAttemptAt: C.at(120))
        try C.expect(try s.store.dueMessages(now: C.at(110), limit: 10).map(\.id) == [mb],
                     "a rescheduled message waits for its next attempt")
        try C.expect(try s.store.dueMessages(now: C.at(120), limit: 10).map(\.id) == [mb, ma],
                     "due messages come earliest due first")
        try C.expect(try s.store.dueMessages(now: C.at(301), limit: 10).map(\.id) == [mb],
                     "a message whose code died is not due")
        try C.expect(try s.store.dueMessages(now: C.at(120), limit: 1).count == 1, "the limit holds")
    }

    static func markSentAndGivingUpWipeThePayload(_ s: Subject) throws {
        let user = try withAccount(s)
        let a = challenge(1, user: user)
        let b = challenge(2, user: user)
        let ma = try s.store.create(StoredChallenge(challenge: a), message: message(for: a))
        let mb = try s.store.create(StoredChallenge(challenge: b), message: message(for: b))
        try s.store.markSent(id: ma, at: C.at(2), gateway: "kannel")
        let sent = try s.store.message(id: ma)
        try C.expect(sent?.payload == nil && sent?.sentAt == C.at(2) && sent?.gateway == "kannel" && sent?.attempts == 1,
                     "a sent message keeps time and gateway, not its payload: \(String(describing: sent))")
        try s.store.markFailed(id: mb, attempts: 3, nextAttemptAt: nil)
        let given = try s.store.message(id: mb)
        try C.expect(given?.payload == nil && given?.sentAt == nil && given?.attempts == 3,
                     "a given-up message loses its payload: \(String(describing: given))")
        try C.expect(try s.store.dueMessages(now: C.at(10), limit: 10).isEmpty, "neither is due any more")
    }

    static func purgeRemovesFinishedChallengesAndOldRows(_ s: Subject) throws {
        let user = try withAccount(s)
        var done = challenge(1, user: user)
        let live = challenge(2, user: user, at: C.at(200))
        let old = try s.store.create(StoredChallenge(challenge: done), message: message(for: done))
        let fresh = try s.store.create(StoredChallenge(challenge: live), message: message(for: live))
        _ = done.verify(codeMatches: true, now: C.at(5))
        try s.store.update(done, verifiedAt: C.at(5))
        try s.store.purge(now: C.at(250), statsBefore: C.at(100))
        try C.expect(try s.store.challenge(id: done.id) == nil, "a verified challenge must be purged")
        try C.expect(try s.store.challenge(id: live.id) != nil, "a pending challenge must stay")
        try C.expect(try s.store.message(id: old) == nil, "a row older than the stats cutoff must go")
        try C.expect(try s.store.message(id: fresh) != nil, "a recent row must stay")
        try s.store.purge(now: C.at(600), statsBefore: C.at(100))
        try C.expect(try s.store.challenge(id: live.id) == nil, "an expired challenge must be purged")
        try C.expect(try s.store.message(id: fresh)?.payload == nil, "a dead code's payload must be wiped")
    }

    static func statsCountSendsAndConversionPerCountry(_ s: Subject) throws {
        let user = try withAccount(s)
        var ids: [Int64] = []
        for n in 1...4 {
            let c = challenge(n, user: user)
            ids.append(try s.store.create(StoredChallenge(challenge: c), message: message(for: c, country: n == 4 ? "43" : "49")))
        }
        var resent = challenge(1, user: user)
        _ = resent.resend(newDigest: KeyedDigest(bytes: C.bytes(1), keyID: KeyID(rawValue: 4)), now: C.at(31))
        try s.store.markSent(id: ids[0], at: C.at(1), gateway: "g")
        ids.append(try s.store.resend(resent, message: message(for: resent)))
        try s.store.markSent(id: ids[4], at: C.at(32), gateway: "g")
        try s.store.markSent(id: ids[1], at: C.at(1), gateway: "g")
        try s.store.markSent(id: ids[3], at: C.at(1), gateway: "g")
        _ = resent.verify(codeMatches: true, now: C.at(40))
        try s.store.update(resent, verifiedAt: C.at(40))
        let stats = try s.store.stats(since: C.at(-60))
        let de = stats.first { $0.countryCode == "49" }
        let at = stats.first { $0.countryCode == "43" }
        try C.expect(de == SMSCountryStats(countryCode: "49", sent: 3, unsent: 1, challenges: 2, verified: 1),
                     "49: 3 sent (one a resend), 1 unsent, 2 challenges, 1 verified; got \(String(describing: de))")
        try C.expect(at == SMSCountryStats(countryCode: "43", sent: 1, unsent: 0, challenges: 1, verified: 0),
                     "43: got \(String(describing: at))")
        try C.expect(try s.store.stats(since: C.at(60)).isEmpty, "rows before `since` must not count")
    }

    static func noticeIsQueuedDueAndCountsAsConverted(_ s: Subject) throws {
        let user = try withAccount(s)
        var c = challenge(1, user: user)
        let code = try s.store.create(StoredChallenge(challenge: c), message: message(for: c))
        try s.store.markSent(id: code, at: C.at(1), gateway: "g")
        _ = c.verify(codeMatches: true, now: C.at(20))
        try s.store.update(c, verifiedAt: C.at(20))
        var notice = QueuedSMS(challengeID: c.id, purpose: c.purpose, countryCode: "43",
                               payload: SealedSecret(bytes: C.bytes(77, count: 60), keyID: KeyID(rawValue: 4)),
                               createdAt: C.at(20), expiresAt: C.at(20 + 86_400))
        let id = try s.store.enqueueNotice(notice, verifiedAt: C.at(20))
        notice.id = id
        try C.expect(id != code, "a notice must be a message of its own")
        try C.expect(try s.store.message(id: id) == notice, "the notice must load back unchanged")
        try C.expect(try s.store.dueMessages(now: C.at(21), limit: 10).map(\.id) == [id],
                     "a notice is due like any queued message (its challenge being verified does not matter)")
        try s.store.markSent(id: id, at: C.at(22), gateway: "g")
        let at = try s.store.stats(since: C.at(-60)).first { $0.countryCode == "43" }
        try C.expect(at == SMSCountryStats(countryCode: "43", sent: 1, unsent: 0, challenges: 1, verified: 1),
                     "a sent notice counts as a send of a converted challenge; got \(String(describing: at))")
    }
}
