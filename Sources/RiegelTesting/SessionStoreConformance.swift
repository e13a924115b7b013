import RiegelCore

/// The rules every ``SessionStore`` must keep. Call ``run(_:)`` with a factory
/// for an empty store paired with an account store on the same data.
public enum SessionStoreConformance {
    public typealias Subject = StoreWithAccounts<any SessionStore>

    /// Every rule, by name, each run against fresh stores.
    public static let checks: [(name: String, body: @Sendable (Subject) throws -> Void)] = [
        ("createdSessionIsFoundByDigestAndID", createdSessionIsFoundByDigestAndID),
        ("minimalSessionRoundTrips", minimalSessionRoundTrips),
        ("creatingASessionRecordsTheLogin", creatingASessionRecordsTheLogin),
        ("duplicateIDOrDigestIsRefused", duplicateIDOrDigestIsRefused),
        ("sessionsOfUserAreUnrevokedOldestFirst", sessionsOfUserAreUnrevokedOldestFirst),
        ("liveSessionsBeyondTheNewestAreTheOldestLiveOnes", liveSessionsBeyondTheNewestAreTheOldestLiveOnes),
        ("createThenLiveSessionsCountsTheNewSession", createThenLiveSessionsCountsTheNewSession),
        ("renewReplacesDigestAndAssurance", renewReplacesDigestAndAssurance),
        ("revokeEndsOnceAndKeepsTheRecord", revokeEndsOnceAndKeepsTheRecord),
        ("pagesListEverySessionOnceInIDOrder", pagesListEverySessionOnceInIDOrder),
        ("revokeAllKeepsOneAndCounts", revokeAllKeepsOneAndCounts),
        ("revokeAllOfDeviceEndsOnlyThatDevicesSessions", revokeAllOfDeviceEndsOnlyThatDevicesSessions),
        ("recordActivityNeverMovesBackwards", recordActivityNeverMovesBackwards),
        ("deleteInactiveRemovesRevokedOrIdleBeforeCutoff", deleteInactiveRemovesRevokedOrIdleBeforeCutoff),
        ("deletingTheAccountRemovesItsSessions", deletingTheAccountRemovesItsSessions),
    ]

    /// Runs every rule, each against fresh stores from `makeStores`.
    public static func run(_ makeStores: () throws -> Subject) throws {
        for check in checks {
            let subject = try makeStores()
            try StoreConformance.check("SessionStore", check.name) { try check.body(subject) }
        }
    }

    typealias C = StoreConformance

    static func creatingASessionRecordsTheLogin(_ s: Subject) throws {
        try users(s, 1, 2)
        try s.store.create(session(3, user: 1, createdAt: 30))
        try C.expect(try s.accounts.account(id: C.userID(1))?.lastLoginAt == C.at(30),
                     "a new session must set the account's last login to its creation")
        try C.expect(try s.accounts.account(id: C.userID(2))?.lastLoginAt == nil, "other accounts stay untouched")
    }

    static func pagesListEverySessionOnceInIDOrder(_ s: Subject) throws {
        try users(s, 1, 2)
        for n in 1...7 { try s.store.create(session(n, user: n % 2 + 1)) }
        try s.store.revoke(id: C.sessionID(3), reason: "logout", at: C.at(100))
        var seen: [SessionID] = []
        var cursor: SessionID?
        while true {
            let page = try s.store.page(after: cursor, limit: 3)
            try C.expect(page.count <= 3, "a page holds at most `limit` sessions")
            guard let last = page.last else { break }
            seen += page.map(\.id)
            cursor = last.id
        }
        try C.expect(seen == (1...7).map { C.sessionID($0) }.sorted { $0.rawValue < $1.rawValue },
                     "every session once, revoked ones included, in id order; got \(seen)")
        try C.expect(try s.store.page(after: nil, limit: 2).count == 2, "nil starts at the first")
    }

    static func users(_ subject: Subject, _ numbers: Int...) throws {
        for n in numbers { try subject.accounts.create(try C.account(n)) }
    }

    static func session(_ n: Int, user: Int = 1, createdAt: Double? = nil, lastActivity: Double? = nil,
                        revokedAt: Instant? = nil) -> SessionRecord {
        let created = createdAt ?? Double(n) * 10
        return SessionRecord(id: C.sessionID(n), userID: C.userID(user), tokenDigest: C.bytes(UInt8(n)),
                             assurance: .password, method: .password, createdAt: C.at(created),
                             authenticatedAt: C.at(created), lastActivityAt: C.at(lastActivity ?? created),
                             revokedAt: revokedAt, revokeReason: revokedAt.map { _ in "logout" })
    }

    static func ids(_ sessions: [SessionRecord]) -> [String] { sessions.map(\.id.rawValue) }

    static func createdSessionIsFoundByDigestAndID(_ subject: Subject) throws {
        let store = subject.store
        try users(subject, 1)
        let full = SessionRecord(id: C.sessionID(1), userID: C.userID(1), tokenDigest: C.bytes(1),
                                 assurance: .secondFactor, method: .sms, createdAt: C.at(0.125),
                                 authenticatedAt: C.at(0.25), secondFactorAt: C.at(0.5), secondFactorMethod: .deviceKey,
                                 lastActivityAt: C.at(1.75),
                                 clientIP: "2001:db8::1", userAgent: "Mozilla/5.0 (X11; Linux) «ü»",
                                 deviceID: DeviceID(rawValue: "d_" + String(repeating: "7", count: 32)))
        try store.create(full)
        try store.create(session(2))
        try C.expect(try store.session(tokenDigest: C.bytes(1)) == full, "a session must load back unchanged by digest")
        try C.expect(try store.session(id: C.sessionID(1)) == full, "a session must load back unchanged by id")
        try C.expect(try store.session(tokenDigest: C.bytes(9)) == nil, "an unknown digest must find nothing")
        try C.expect(try store.session(id: C.sessionID(9)) == nil, "an unknown id must find nothing")
    }

    static func minimalSessionRoundTrips(_ subject: Subject) throws {
        let store = subject.store
        try users(subject, 1)
        for (n, method) in AuthenticationMethod.allCases.enumerated() {
            var record = session(n + 1)
            record.method = method
            try store.create(record)
            try C.expect(try store.session(id: record.id) == record, "a session by \(method) must load back unchanged")
        }
        let revoked = session(9, revokedAt: C.at(95))
        try store.create(revoked)
        try C.expect(try store.session(id: revoked.id) == revoked, "a session created revoked must load back unchanged")
    }

    static func duplicateIDOrDigestIsRefused(_ subject: Subject) throws {
        let store = subject.store
        try users(subject, 1)
        try store.create(session(1))
        var sameID = session(2)
        sameID.id = C.sessionID(1)
        try C.expectThrows("a second session with the same id must be refused") { try store.create(sameID) }
        var sameDigest = session(3)
        sameDigest.tokenDigest = C.bytes(1)
        try C.expectThrows("a second session with the same token digest must be refused") { try store.create(sameDigest) }
        try C.expect(try store.session(tokenDigest: C.bytes(1)) == session(1), "refused sessions must change nothing")
        try store.create(session(2))
        try C.expectThrows("renewing to another session's digest must be refused") {
            try store.renew(id: C.sessionID(2), tokenDigest: C.bytes(1), assurance: .secondFactor, secondFactorAt: nil,
                              secondFactorMethod: nil)
        }
        try C.expect(try store.session(id: C.sessionID(2)) == session(2), "a refused renewal must change nothing")
    }

    static func sessionsOfUserAreUnrevokedOldestFirst(_ subject: Subject) throws {
        let store = subject.store
        try users(subject, 1, 2)
        try store.create(session(3, createdAt: 30))
        try store.create(session(1, createdAt: 50))
        try store.create(session(2, createdAt: 10))
        try store.create(session(4, createdAt: 5, revokedAt: C.at(40)))
        try store.create(session(5, user: 2, createdAt: 1))
        let listed = ids(try store.sessions(of: C.userID(1)))
        try C.expect(listed == ids([session(2), session(3), session(1)]),
                     "sessions(of:) must list the user's unrevoked sessions, oldest first; got \(listed)")
        try C.expect(try store.sessions(of: C.userID(9)).isEmpty, "an unknown user has no sessions")
    }

    static func liveSessionsBeyondTheNewestAreTheOldestLiveOnes(_ subject: Subject) throws {
        let store = subject.store
        try users(subject, 1, 2)
        // Live after created 20 and active 25: 3 (created 30), 5 (40), 6 (50, active 60), 7 (70).
        try store.create(session(1, createdAt: 10, lastActivity: 100))  // created too long ago
        try store.create(session(2, createdAt: 22, lastActivity: 24))   // idle
        try store.create(session(3, createdAt: 30))
        try store.create(session(4, createdAt: 35, revokedAt: C.at(36)))
        try store.create(session(5, createdAt: 40))
        try store.create(session(6, createdAt: 50, lastActivity: 60))
        try store.create(session(7, createdAt: 70))
        try store.create(session(8, user: 2, createdAt: 31))
        func beyond(_ keeping: Int) throws -> [String] {
            try store.liveSessions(of: C.userID(1), createdAfter: C.at(20), activeAfter: C.at(25), beyondNewest: keeping)
                .map(\.rawValue)
        }
        let two = try beyond(2), none = try beyond(0)
        try C.expect(two == [C.sessionID(3), C.sessionID(5)].map(\.rawValue),
                     "beyond the newest 2 live: the 2 oldest live ones, oldest first; got \(two)")
        try C.expect(none == [3, 5, 6, 7].map { C.sessionID($0).rawValue }, "keeping 0: every live session; got \(none)")
        try C.expect(try beyond(4).isEmpty && beyond(9).isEmpty, "at or below the cap: none")
        // The bounds are exclusive, as a session created or last active exactly
        // one timeout ago has ended (SessionPolicy.endReason).
        try C.expect(try store.liveSessions(of: C.userID(1), createdAfter: C.at(30), activeAfter: C.at(0),
                                            beyondNewest: 0).map(\.rawValue).first == C.sessionID(5).rawValue,
                     "a session created exactly at createdAfter is not live")
        try C.expect(try store.liveSessions(of: C.userID(9), createdAfter: C.at(0), activeAfter: C.at(0),
                                            beyondNewest: 0).isEmpty, "an unknown user has none")
    }

    static func createThenLiveSessionsCountsTheNewSession(_ subject: Subject) throws {
        let store = subject.store
        try users(subject, 1, 2)
        try store.create(session(1, createdAt: 10, lastActivity: 100))  // created too long ago
        try store.create(session(3, createdAt: 30))
        try store.create(session(5, createdAt: 40))
        try store.create(session(8, user: 2, createdAt: 31))
        func create(_ n: Int, at time: Double, keeping: Int) throws -> [String] {
            try store.create(session(n, createdAt: time), thenLiveSessionsCreatedAfter: C.at(20), activeAfter: C.at(25),
                             beyondNewest: keeping).map(\.rawValue)
        }
        let beyond = try create(7, at: 70, keeping: 2)
        try C.expect(beyond == [C.sessionID(3).rawValue],
                     "beyond the newest 2 of the live 3, 5 and the new 7: 3; got \(beyond)")
        try C.expect(try store.session(id: C.sessionID(7)) != nil, "the new session is stored")
        try C.expect(try subject.accounts.account(id: C.userID(1))?.lastLoginAt == C.at(70),
                     "the new session sets the account's last login")
        // Stamped before others (another instance's clock ahead): it counts
        // where its time puts it, and may itself be beyond the cap.
        let skewed = try create(4, at: 35, keeping: 2)
        try C.expect(skewed == [3, 4].map { C.sessionID($0).rawValue },
                     "beyond the newest 2 of 3, 4, 5, 7: 3 and the new 4, oldest first; got \(skewed)")
        try C.expect(try create(6, at: 50, keeping: 9).isEmpty, "below the cap: none")
    }

    static func renewReplacesDigestAndAssurance(_ subject: Subject) throws {
        let store = subject.store
        try users(subject, 1)
        let original = session(1)
        try store.create(original)
        try store.renew(id: original.id, tokenDigest: C.bytes(50), assurance: .secondFactor, secondFactorAt: C.at(60.5),
                          secondFactorMethod: .sms)
        var expected = original
        expected.tokenDigest = C.bytes(50)
        expected.assurance = .secondFactor
        expected.secondFactorAt = C.at(60.5)
        expected.secondFactorMethod = .sms
        try C.expect(try store.session(tokenDigest: original.tokenDigest) == nil, "the old digest must find nothing after renewal")
        try C.expect(try store.session(tokenDigest: C.bytes(50)) == expected,
                     "the new digest must find the session with the new assurance, nothing else changed")
        try store.renew(id: original.id, tokenDigest: C.bytes(51), assurance: .password, secondFactorAt: nil,
                          secondFactorMethod: nil)
        expected.tokenDigest = C.bytes(51)
        expected.assurance = .password
        expected.secondFactorAt = nil
        expected.secondFactorMethod = nil
        try C.expect(try store.session(id: original.id) == expected, "renewal must set the assurance fields as given")
        try store.renew(id: C.sessionID(9), tokenDigest: C.bytes(52), assurance: .password, secondFactorAt: nil,
                          secondFactorMethod: nil)
        try C.expect(try store.session(tokenDigest: C.bytes(52)) == nil, "renewing an unknown session must create nothing")
    }

    static func revokeEndsOnceAndKeepsTheRecord(_ subject: Subject) throws {
        let store = subject.store
        try users(subject, 1)
        try store.create(session(1))
        try C.expect(try store.revoke(id: C.sessionID(1), reason: "logout", at: C.at(100)), "revoking must return true")
        var expected = session(1)
        expected.revokedAt = C.at(100)
        expected.revokeReason = "logout"
        try C.expect(try store.session(tokenDigest: C.bytes(1)) == expected,
                     "a revoked session must still be found by digest, with time and reason")
        try C.expect(try !store.revoke(id: C.sessionID(1), reason: "admin", at: C.at(200)),
                     "revoking an ended session must return false")
        try C.expect(try store.session(id: C.sessionID(1)) == expected, "a second revocation must change nothing")
        try C.expect(try !store.revoke(id: C.sessionID(9), reason: "logout", at: C.at(200)),
                     "revoking an unknown session must return false")
        try C.expect(try store.sessions(of: C.userID(1)).isEmpty, "a revoked session must not be listed")
    }

    static func revokeAllKeepsOneAndCounts(_ subject: Subject) throws {
        let store = subject.store
        try users(subject, 1, 2)
        try store.create(session(1))
        try store.create(session(2))
        try store.create(session(3))
        try store.create(session(4, revokedAt: C.at(5)))
        try store.create(session(5, user: 2))
        let ended = try store.revokeAll(of: C.userID(1), keeping: C.sessionID(2), reason: "password_reset", at: C.at(100))
        try C.expect(ended == 2, "revokeAll must count the sessions it ended (not the kept or already revoked); got \(ended)")
        try C.expect(ids(try store.sessions(of: C.userID(1))) == [C.sessionID(2).rawValue], "only the kept session must stay")
        try C.expect(try store.session(id: C.sessionID(1))?.revokeReason == "password_reset", "ended sessions carry the reason")
        try C.expect(try store.session(id: C.sessionID(4))?.revokedAt == C.at(5),
                     "an already revoked session must keep its revocation")
        try C.expect(try store.sessions(of: C.userID(2)).count == 1, "another user's sessions must stay")
        try C.expect(try store.revokeAll(of: C.userID(1), keeping: nil, reason: "deleted", at: C.at(200)) == 1,
                     "revokeAll without a kept session must end the rest")
        try C.expect(try store.revokeAll(of: C.userID(1), keeping: nil, reason: "deleted", at: C.at(300)) == 0,
                     "revokeAll with nothing left must return 0")
    }

    static func revokeAllOfDeviceEndsOnlyThatDevicesSessions(_ subject: Subject) throws {
        let store = subject.store
        try users(subject, 1)
        let device = DeviceID(rawValue: "d_" + String(repeating: "1", count: 32))
        let other = DeviceID(rawValue: "d_" + String(repeating: "2", count: 32))
        for (n, from) in [(1, device), (2, device), (3, other)] {
            var record = session(n)
            record.deviceID = from
            try store.create(record)
        }
        try store.create(session(4))
        var ended = session(5, revokedAt: C.at(7))
        ended.deviceID = device
        try store.create(ended)
        let revoked = try store.revokeAll(ofDevice: device, reason: "device_revoked", at: C.at(100))
        try C.expect(Set(revoked) == [C.sessionID(1), C.sessionID(2)],
                     "revokeAll(ofDevice:) must return the live sessions of that device; got \(revoked)")
        try C.expect(try store.session(id: C.sessionID(1))?.revokeReason == "device_revoked", "they carry the reason")
        try C.expect(ids(try store.sessions(of: C.userID(1))) == [C.sessionID(3), C.sessionID(4)].map(\.rawValue),
                     "sessions of another device or of none must stay")
        try C.expect(try store.session(id: C.sessionID(5))?.revokedAt == C.at(7), "an earlier revocation must stay")
        try C.expect(try store.revokeAll(ofDevice: device, reason: "x", at: C.at(200)).isEmpty, "nothing left: empty")
    }

    static func recordActivityNeverMovesBackwards(_ subject: Subject) throws {
        let store = subject.store
        try users(subject, 1)
        try store.create(session(1, lastActivity: 100))
        try store.create(session(2, lastActivity: 100))
        try store.create(session(3, lastActivity: 100))
        try store.recordActivity([C.sessionID(1): C.at(150.5), C.sessionID(2): C.at(50), C.sessionID(9): C.at(500)])
        try C.expect(try store.session(id: C.sessionID(1))?.lastActivityAt == C.at(150.5), "a later time must be recorded")
        try C.expect(try store.session(id: C.sessionID(2))?.lastActivityAt == C.at(100), "an earlier time must not move activity back")
        try C.expect(try store.session(id: C.sessionID(3))?.lastActivityAt == C.at(100), "sessions not in the batch must not change")
        try C.expect(try store.session(id: C.sessionID(9)) == nil, "activity of an unknown session must create nothing")
        try store.recordActivity([:])
    }

    static func deleteInactiveRemovesRevokedOrIdleBeforeCutoff(_ subject: Subject) throws {
        let store = subject.store
        try users(subject, 1)
        try store.create(session(1, createdAt: 0, lastActivity: 1000))  // active: kept
        try store.create(session(2, createdAt: 0, lastActivity: 400))  // idle before cutoff: deleted
        try store.create(session(3, createdAt: 0, lastActivity: 900, revokedAt: C.at(450)))  // revoked before: deleted
        try store.create(session(4, createdAt: 0, lastActivity: 900, revokedAt: C.at(700)))  // revoked after: kept
        try store.create(session(5, createdAt: 0, lastActivity: 500))  // exactly at the cutoff: kept
        let deleted = try store.deleteInactive(before: C.at(500))
        try C.expect(deleted == 2, "deleteInactive must delete the idle and the long-revoked session; got \(deleted)")
        for (n, present) in [(1, true), (2, false), (3, false), (4, true), (5, true)] {
            try C.expect(try (store.session(id: C.sessionID(n)) != nil) == present,
                         "session \(n) must \(present ? "stay" : "be deleted")")
        }
        try C.expect(try store.deleteInactive(before: C.at(500)) == 0, "a second run must delete nothing")
    }

    static func deletingTheAccountRemovesItsSessions(_ subject: Subject) throws {
        let store = subject.store
        try users(subject, 1, 2)
        try store.create(session(1, user: 1))
        try store.create(session(2, user: 1, revokedAt: C.at(25)))
        try store.create(session(3, user: 2))
        try subject.accounts.delete(id: C.userID(1))
        try C.expect(try store.session(id: C.sessionID(1)) == nil && store.session(id: C.sessionID(2)) == nil,
                     "deleting an account must remove its sessions, revoked ones too")
        try C.expect(ids(try store.page(after: nil, limit: 10)) == [C.sessionID(3).rawValue], "other users' sessions must stay")
    }
}
