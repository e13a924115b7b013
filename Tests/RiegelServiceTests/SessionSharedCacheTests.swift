import RiegelCore
@testable import RiegelService
import RiegelTesting
import Synchronization
import XCTest

/// A session store shared with another instance (the fixture's service):
/// counts reads by token digest, can fail them, and can run a hook between
/// a read and its answer (a change arriving while the read is in flight).
final class ObservedSessionStore: SessionStore, Sendable {
    let inner: InMemorySessionStore
    let digestReads = Atomic<Int>(0)
    /// Reads of every session of a user (`sessions(of:)`).
    let userReads = Atomic<Int>(0)
    let failing = Atomic<Bool>(false)
    let afterRead = Mutex<(@Sendable () -> Void)?>(nil)
    /// Runs once after the next create or renew (the instance's own change coming back through the feed).
    let afterWrite = Mutex<(@Sendable () -> Void)?>(nil)

    private func wrote() {
        if let hook = afterWrite.withLock({ h in defer { h = nil }; return h }) { hook() }
    }

    init(_ inner: InMemorySessionStore) { self.inner = inner }

    struct Down: Error {}

    func session(tokenDigest: [UInt8]) throws -> SessionRecord? {
        digestReads.add(1, ordering: .relaxed)
        if failing.load(ordering: .relaxed) { throw Down() }
        let found = try inner.session(tokenDigest: tokenDigest)
        if let hook = afterRead.withLock({ h in defer { h = nil }; return h }) { hook() }
        return found
    }

    func create(_ session: SessionRecord) throws {
        try inner.create(session)
        wrote()
    }
    func session(id: SessionID) throws -> SessionRecord? { try inner.session(id: id) }
    func sessions(of userID: UserID) throws -> [SessionRecord] {
        userReads.add(1, ordering: .relaxed)
        return try inner.sessions(of: userID)
    }
    func liveSessions(of userID: UserID, createdAfter: Instant, activeAfter: Instant,
                      beyondNewest keeping: Int) throws -> [SessionID] {
        try inner.liveSessions(of: userID, createdAfter: createdAfter, activeAfter: activeAfter, beyondNewest: keeping)
    }
    func page(after cursor: SessionID?, limit: Int) throws -> [SessionRecord] { try inner.page(after: cursor, limit: limit) }
    func renew(id: SessionID, tokenDigest: [UInt8], assurance: Assurance, secondFactorAt: Instant?,
               secondFactorMethod: AuthenticationMethod?) throws {
        try inner.renew(id: id, tokenDigest: tokenDigest, assurance: assurance, secondFactorAt: secondFactorAt,
                        secondFactorMethod: secondFactorMethod)
        wrote()
    }
    func revoke(id: SessionID, reason: String, at: Instant) throws -> Bool { try inner.revoke(id: id, reason: reason, at: at) }
    func revokeAll(of userID: UserID, keeping: SessionID?, reason: String, at: Instant) throws -> Int {
        try inner.revokeAll(of: userID, keeping: keeping, reason: reason, at: at)
    }
    func revokeAll(ofDevice deviceID: DeviceID, reason: String, at: Instant) throws -> [SessionID] {
        try inner.revokeAll(ofDevice: deviceID, reason: reason, at: at)
    }
    func recordActivity(_ times: [SessionID: Instant]) throws { try inner.recordActivity(times) }
    func deleteInactive(before cutoff: Instant) throws -> Int { try inner.deleteInactive(before: cutoff) }
}

/// The session table as a cache of a shared store (issue 17): a second
/// instance ("B") beside the fixture's ("A"), kept current by change-feed
/// calls the test makes itself.
final class SessionSharedCacheTests: XCTestCase {
    let password = "Kl4vier-Sonate-Mond"

    func instanceB(_ f: AccountServiceFixture) -> (SessionService, ObservedSessionStore) {
        let store = ObservedSessionStore(InMemorySessionStore(data: f.data))
        let b = SessionService(sessions: store, accounts: f.accounts, tokens: f.tokens, digester: f.tokens, clock: f.clock,
                               random: f.random, policy: f.sessions.policy, audit: f.audit, sharedStore: true)
        return (b, store)
    }

    /// A fixture ("A") with user sam registered.
    func fixture() async throws -> AccountServiceFixture {
        let f = AccountServiceFixture()
        _ = try await f.service.register(username: "sam", password: password, email: nil, phone: nil, client: .init())
        return f
    }

    func login(_ f: AccountServiceFixture) async throws -> NewSession {
        try await f.service.login(username: "sam", password: password, client: .init()).session
    }

    func testWhileCurrentAHitIsAnsweredFromMemoryAndReadsNothing() async throws {
        let f = try await fixture()
        let (b, store) = instanceB(f)
        let s = try await login(f)
        b.sessionChangesCaughtUp(asOf: f.clock.now())
        XCTAssertNil(try b.checkLoaded(token: s.token), "a miss is left to the reading check")
        XCTAssertEqual(try b.check(token: s.token).info.sessionID, s.info.sessionID)
        XCTAssertEqual(store.digestReads.load(ordering: .relaxed), 1)
        for _ in 0..<10 {
            XCTAssertEqual(try b.checkLoaded(token: s.token)?.info.sessionID, s.info.sessionID)
            XCTAssertEqual(try b.check(token: s.token).info.sessionID, s.info.sessionID)
        }
        XCTAssertEqual(store.digestReads.load(ordering: .relaxed), 1, "hits read the store")
        // Even with the store down, a hit within the bound is answered.
        store.failing.store(true, ordering: .relaxed)
        XCTAssertEqual(try b.check(token: s.token).info.sessionID, s.info.sessionID)
    }

    /// The cap counts every instance's sessions, as the store has them: B's
    /// logins end the oldest of sessions A opened, which B's table never held,
    /// and B reads no session rows to do it.
    func testTheCapCountsTheSessionsOfEveryInstanceInTheStore() async throws {
        let f = AccountServiceFixture(sessionPolicy: SessionPolicy(maxPerUser: 3))
        _ = try await f.service.register(username: "sam", password: password, email: nil, phone: nil, client: .init())
        let (b, store) = instanceB(f)
        let account = try XCTUnwrap(try f.accounts.account(usernameKey: "sam"))
        var opened: [NewSession] = []
        for _ in 0..<2 { opened.append(try await login(f)); f.clock.advance(seconds: 1) }  // on A
        for _ in 0..<2 {  // on B
            opened.append(try b.open(for: account, assurance: .password, method: .password, client: .init()))
            f.clock.advance(seconds: 1)
        }
        let stored = try opened.map { try store.inner.session(id: $0.info.sessionID)?.revokeReason }
        XCTAssertEqual(stored, ["session_cap", nil, nil, nil], "the oldest, opened on A, ends")
        XCTAssertEqual(store.digestReads.load(ordering: .relaxed), 0)
        XCTAssertEqual(store.userReads.load(ordering: .relaxed), 0, "no login loads the user's sessions")
        func revocations() throws -> [String?] {
            try f.auditLog.query(AuditFilter(types: ["session.revoked"]), limit: nil).entries.map(\.event.reason)
        }
        XCTAssertEqual(try revocations(), ["session_cap"])
        // An idle session does not count: after 15 minutes only B's next login is live.
        f.clock.advance(seconds: 16 * 60)
        _ = try b.open(for: account, assurance: .password, method: .password, client: .init())
        XCTAssertEqual(try revocations().count, 1, "idle sessions are not ended by the cap")
    }

    func testBeforeTheFirstCatchUpAndPastTheBoundEveryCheckReadsAndFailsClosed() async throws {
        let f = try await fixture()
        let (b, store) = instanceB(f)
        let s = try await login(f)
        _ = try b.check(token: s.token)
        XCTAssertNil(try b.checkLoaded(token: s.token), "no catch-up yet: memory may be behind")
        _ = try b.check(token: s.token)
        XCTAssertEqual(store.digestReads.load(ordering: .relaxed), 2)
        b.sessionChangesCaughtUp(asOf: f.clock.now())
        f.clock.advance(seconds: 3)
        XCTAssertNotNil(try b.checkLoaded(token: s.token), "at the bound: still current")
        f.clock.advance(seconds: 0.5)
        XCTAssertNil(try b.checkLoaded(token: s.token), "past the bound")
        _ = try b.check(token: s.token)
        XCTAssertEqual(store.digestReads.load(ordering: .relaxed), 3)
        store.failing.store(true, ordering: .relaxed)
        XCTAssertThrowsError(try b.check(token: s.token)) { XCTAssertEqual($0 as? RiegelError, .storageUnavailable) }
        // The feed catches up again: memory answers again.
        b.sessionChangesCaughtUp(asOf: f.clock.now())
        XCTAssertEqual(try b.check(token: s.token).info.sessionID, s.info.sessionID)
    }

    func testALateCatchUpReportNeverMovesTheTimeBack() async throws {
        let f = try await fixture()
        let (b, _) = instanceB(f)
        XCTAssertNil(b.changesCaughtUpAt)
        let later = f.clock.now()
        b.sessionChangesCaughtUp(asOf: later)
        b.sessionChangesCaughtUp(asOf: later.adding(seconds: -2))
        XCTAssertEqual(b.changesCaughtUpAt, later, "an older catch-up reported after a newer one is ignored")
        b.sessionChangesCaughtUp(asOf: later.adding(seconds: 1))
        XCTAssertEqual(b.changesCaughtUpAt, later.adding(seconds: 1))
    }

    func testAReportedChangeIsReadAgainAndARevocationElsewhereFailsHere() async throws {
        let f = try await fixture()
        let (b, _) = instanceB(f)
        let s = try await login(f), other = try await login(f)
        b.sessionChangesCaughtUp(asOf: f.clock.now())
        _ = try b.check(token: s.token)
        _ = try b.check(token: other.token)
        try f.sessions.logout(token: s.token)  // on A
        b.sessionsChanged([s.info.sessionID])  // the feed reports it
        XCTAssertNil(try b.checkLoaded(token: s.token))
        XCTAssertThrowsError(try b.check(token: s.token)) { XCTAssertEqual($0 as? RiegelError, .sessionExpired(.revoked)) }
        XCTAssertThrowsError(try b.checkLoaded(token: s.token)) {
            XCTAssertEqual($0 as? RiegelError, .sessionExpired(.revoked), "a tombstone now")
        }
        XCTAssertNotNil(try b.checkLoaded(token: other.token), "the other session stayed in memory")
        // Renewed on A: the old token is unknown here after the report, the new one loads.
        let renewed = try f.sessions.elevate(id: other.info.sessionID, reason: "step_up")
        b.sessionsChanged([other.info.sessionID])
        XCTAssertThrowsError(try b.check(token: other.token)) { XCTAssertEqual($0 as? RiegelError, .invalidToken) }
        XCTAssertEqual(try b.check(token: renewed.token).info.sessionID, other.info.sessionID)
        // Changes may have been missed: everything is read again.
        b.allSessionsMayHaveChanged()
        XCTAssertEqual(b.count, 0)
        XCTAssertNil(try b.checkLoaded(token: renewed.token))
    }

    /// The race the read epochs close: B reads the row, the revocation
    /// commits and is reported while that read is in flight, then the read
    /// answers. The stale row must not come back live.
    func testARowReadBeforeAChangeWasReportedIsNotPutBack() async throws {
        let f = try await fixture()
        let (b, store) = instanceB(f)
        let s = try await login(f)
        b.sessionChangesCaughtUp(asOf: f.clock.now())
        store.afterRead.withLock { hook in
            hook = {
                _ = try? f.sessions.logout(token: s.token)
                b.sessionsChanged([s.info.sessionID])
            }
        }
        XCTAssertThrowsError(try b.check(token: s.token)) { XCTAssertEqual($0 as? RiegelError, .sessionExpired(.revoked)) }
        XCTAssertEqual(store.digestReads.load(ordering: .relaxed), 2, "the stale read was read again")
        XCTAssertThrowsError(try b.checkLoaded(token: s.token)) { XCTAssertEqual($0 as? RiegelError, .sessionExpired(.revoked)) }
    }

    /// Idle here, active on A (flushed): B reads the row before it says idle.
    func testASessionIdleHereButActiveElsewhereIsReadBeforeItEnds() async throws {
        let f = try await fixture()
        let (b, _) = instanceB(f)
        let s = try await login(f)
        b.sessionChangesCaughtUp(asOf: f.clock.now())
        _ = try b.check(token: s.token)
        f.clock.advance(seconds: 600)
        _ = try f.sessions.check(token: s.token)  // activity on A...
        try f.sessions.flush()  // ...flushed to the shared store
        f.clock.advance(seconds: 400)  // 1000 s since B saw it: idle in B's memory
        b.sessionChangesCaughtUp(asOf: f.clock.now())
        XCTAssertNil(try b.checkLoaded(token: s.token), "idle in memory: the row decides")
        XCTAssertEqual(try b.check(token: s.token, touch: false).info.sessionID, s.info.sessionID)
        XCTAssertNotNil(try b.checkLoaded(token: s.token, touch: false), "the later activity is in memory now")
        f.clock.advance(seconds: 600)  // idle everywhere now
        b.sessionChangesCaughtUp(asOf: f.clock.now())
        XCTAssertThrowsError(try b.check(token: s.token)) { XCTAssertEqual($0 as? RiegelError, .sessionExpired(.idle)) }
    }

    /// This instance's own renewal or new session can come back through the
    /// feed before the call returns (found by a two-instance test: elevate
    /// crashed on the entry it had just renewed). The calls answer from what
    /// they wrote, and the stored row decides the next check.
    func testOwnChangesDroppedByTheFeedMidCallDoNotBreakTheCall() async throws {
        let f = try await fixture()
        let (b, store) = instanceB(f)
        b.sessionChangesCaughtUp(asOf: f.clock.now())
        let s = try await login(f)
        let account = try XCTUnwrap(try f.accounts.account(id: s.info.userID))
        store.afterWrite.withLock { hook in hook = { b.allSessionsMayHaveChanged() } }
        let opened = try b.open(for: account, assurance: .password, method: .password, client: .init())
        XCTAssertEqual(opened.info.username, "sam")
        XCTAssertEqual(try b.check(token: opened.token).info.sessionID, opened.info.sessionID)
        store.afterWrite.withLock { hook in hook = { b.sessionsChanged([opened.info.sessionID]) } }
        let raised = try b.elevate(id: opened.info.sessionID, reason: "step_up", method: .totp)
        XCTAssertEqual(raised.info.assurance, .secondFactor)
        XCTAssertThrowsError(try b.check(token: opened.token)) { XCTAssertEqual($0 as? RiegelError, .invalidToken) }
        XCTAssertEqual(try b.check(token: raised.token).info.assurance, .secondFactor)
        store.afterWrite.withLock { hook in hook = { b.sessionsChanged([opened.info.sessionID]) } }
        try b.demote(id: opened.info.sessionID)
        b.sessionsChanged([opened.info.sessionID])
        XCTAssertEqual(try b.check(token: raised.token).info.assurance, .password, "demoted in the store")
    }
}
