import RiegelCore
@testable import RiegelService
import RiegelTesting
import XCTest

/// Security rule 6 on the session model.
final class SessionServiceTests: XCTestCase {
    func openSession(_ f: AccountServiceFixture) async throws -> NewSession {
        _ = try await f.service.register(username: "sam", password: "Kl4vier-Sonate-Mond", email: nil, phone: nil,
                                         client: .init())
        return try await f.service.login(username: "sam", password: "Kl4vier-Sonate-Mond", client: .init()).session
    }

    func assertEnded(_ f: AccountServiceFixture, _ token: String, _ reason: SessionEndReason,
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try f.sessions.check(token: token), file: file, line: line) {
            XCTAssertEqual($0 as? RiegelError, .sessionExpired(reason), file: file, line: line)
        }
    }

    func testSessionIdleForTheIdleTimeoutIsGone() async throws {
        let f = AccountServiceFixture()
        let s = try await openSession(f)
        f.clock.advance(seconds: 899)
        _ = try f.sessions.check(token: s.token)
        f.clock.advance(seconds: 900)
        assertEnded(f, s.token, .idle)
    }

    func testActivitySlidesTheIdleWindow() async throws {
        let f = AccountServiceFixture()
        let s = try await openSession(f)
        for _ in 0..<5 {
            f.clock.advance(seconds: 600)
            _ = try f.sessions.check(token: s.token)
        }
    }

    func testCheckWithoutTouchDoesNotCountAsActivity() async throws {
        let f = AccountServiceFixture()
        let s = try await openSession(f)
        f.clock.advance(seconds: 600)
        _ = try f.sessions.check(token: s.token, touch: false)
        f.clock.advance(seconds: 300)
        assertEnded(f, s.token, .idle)
    }

    func testSessionOlderThanTheAbsoluteLifetimeIsGoneWhateverItsActivity() async throws {
        let f = AccountServiceFixture(sessionPolicy: SessionPolicy(idleTimeout: 900, absoluteTimeout: 3600))
        let s = try await openSession(f)
        for _ in 0..<5 {
            f.clock.advance(seconds: 600)
            _ = try f.sessions.check(token: s.token)
        }
        f.clock.advance(seconds: 600)
        assertEnded(f, s.token, .absolute)
    }

    func testTokenNeverIssuedIsInvalidToken() {
        let f = AccountServiceFixture()
        XCTAssertThrowsError(try f.sessions.check(token: "tok-never")) {
            XCTAssertEqual($0 as? RiegelError, .invalidToken)
        }
    }

    func testInfoReportsIdleExpiryNoLaterThanAbsoluteExpiry() async throws {
        let f = AccountServiceFixture(sessionPolicy: SessionPolicy(idleTimeout: 900, absoluteTimeout: 1000))
        let s = try await openSession(f)
        f.clock.advance(seconds: 500)
        let info = try f.sessions.check(token: s.token).info
        XCTAssertEqual(info.expiresAt, s.info.expiresAt)
        XCTAssertEqual(info.idleExpiresAt, info.expiresAt)
    }

    func testElevationRenewsTheTokenKeepsTheIDAndRecordsTheSecondFactor() async throws {
        let f = AccountServiceFixture()
        let s = try await openSession(f)
        f.clock.advance(seconds: 60)
        let elevated = try f.sessions.elevate(id: s.info.sessionID, reason: "step_up")
        XCTAssertNotEqual(elevated.token, s.token)
        XCTAssertEqual(elevated.info.sessionID, s.info.sessionID)
        XCTAssertEqual(elevated.info.assurance, .secondFactor)
        XCTAssertEqual(elevated.info.secondFactorAt, f.clock.now())
        XCTAssertThrowsError(try f.sessions.check(token: s.token)) { XCTAssertEqual($0 as? RiegelError, .invalidToken) }
        XCTAssertEqual(try f.sessions.check(token: elevated.token).info.assurance, .secondFactor)
        // Written through: a restart keeps the elevation and the new token only.
        let restarted = f.restartedSessions()
        try restarted.load()
        XCTAssertEqual(try restarted.check(token: elevated.token).info.secondFactorAt, f.clock.now())
        XCTAssertThrowsError(try restarted.check(token: s.token))
    }

    func testElevatingAnEndedSessionIsSessionExpired() async throws {
        let f = AccountServiceFixture()
        let s = try await openSession(f)
        f.clock.advance(seconds: 901)
        XCTAssertThrowsError(try f.sessions.elevate(id: s.info.sessionID, reason: "step_up")) {
            XCTAssertEqual($0 as? RiegelError, .sessionExpired(.idle))
        }
    }

    func testARevokedTokenStillAnswersRevokedAfterARestartUntilItWouldHaveExpired() async throws {
        let f = AccountServiceFixture()
        let s = try await openSession(f)
        let kept = try await f.service.login(username: "sam", password: "Kl4vier-Sonate-Mond", client: .init()).session
        try f.sessions.logout(token: s.token)
        f.clock.advance(seconds: 60)
        var restarted = f.restartedSessions()
        XCTAssertEqual(try restarted.load(), 1, "only the live session counts as loaded")
        XCTAssertThrowsError(try restarted.check(token: s.token)) {
            XCTAssertEqual($0 as? RiegelError, .sessionExpired(.revoked))
        }
        XCTAssertEqual(restarted.liveCount(of: s.info.userID), 1, "a tombstone is not a live session")
        _ = try restarted.check(token: kept.token, touch: true)
        f.clock.advance(seconds: 900)
        restarted = f.restartedSessions()
        try restarted.load()
        XCTAssertThrowsError(try restarted.check(token: s.token)) {
            XCTAssertEqual($0 as? RiegelError, .invalidToken, "long gone: not kept as a tombstone")
        }
    }

    func testDemotionDropsTheElevationButKeepsTheToken() async throws {
        let f = AccountServiceFixture()
        let s = try await openSession(f)
        let elevated = try f.sessions.elevate(id: s.info.sessionID, reason: "step_up")
        try f.sessions.demote(id: s.info.sessionID)
        let info = try f.sessions.check(token: elevated.token).info
        XCTAssertEqual(info.assurance, .password)
        XCTAssertNil(info.secondFactorAt)
    }
}

/// The in-memory table, batching and the operations of the sessions issue.
final class SessionTableBehaviourTests: XCTestCase {
    func register(_ f: AccountServiceFixture, _ name: String = "sam") async throws {
        _ = try await f.service.register(username: name, password: "Kl4vier-Sonate-Mond", email: nil, phone: nil,
                                         client: .init())
    }

    func login(_ f: AccountServiceFixture, _ name: String = "sam", ip: String? = nil) async throws -> NewSession {
        try await f.service.login(username: name, password: "Kl4vier-Sonate-Mond", client: .init(ip: ip, userAgent: "ua")).session
    }

    /// A second service over the same store, as after a restart.
    func restarted(_ f: AccountServiceFixture) throws -> SessionService {
        let s = SessionService(sessions: InMemorySessionStore(data: f.data), accounts: f.accounts, tokens: f.tokens,
                               digester: f.tokens, clock: f.clock, random: f.random, policy: f.sessions.policy,
                               audit: f.audit)
        try s.load()
        return s
    }

    func testCheckDoesNotWriteToTheStoreUntilFlushed() async throws {
        let f = AccountServiceFixture()
        try await register(f)
        let s = try await login(f)
        f.clock.advance(seconds: 600)
        _ = try f.sessions.check(token: s.token)
        let stored = try XCTUnwrap(try InMemorySessionStore(data: f.data).session(id: s.info.sessionID))
        XCTAssertEqual(stored.lastActivityAt, s.info.authenticatedAt, "a check must not write through")
        XCTAssertEqual(try f.sessions.flush(), 1)
        let flushed = try XCTUnwrap(try InMemorySessionStore(data: f.data).session(id: s.info.sessionID))
        XCTAssertEqual(flushed.lastActivityAt, f.clock.now())
    }

    func testCrashBeforeFlushCanOnlyMakeASessionExpireEarly() async throws {
        let f = AccountServiceFixture()
        try await register(f)
        let s = try await login(f)
        f.clock.advance(seconds: 600)
        _ = try f.sessions.check(token: s.token)  // activity only in memory: then "crash"
        let after = try restarted(f)
        f.clock.advance(seconds: 300)  // 900 s after the last flushed activity, 300 s after the lost one
        XCTAssertThrowsError(try after.check(token: s.token)) {
            XCTAssertEqual($0 as? RiegelError, .sessionExpired(.idle))
        }
        // Without the crash it would still be alive:
        _ = try f.sessions.check(token: s.token)
    }

    func testSessionsSurviveARestart() async throws {
        let f = AccountServiceFixture()
        try await register(f)
        let s = try await login(f)
        let after = try restarted(f)
        XCTAssertEqual(try after.check(token: s.token).info.sessionID, s.info.sessionID)
    }

    func testRevocationReasonsLogoutAndLogoutOthers() async throws {
        let f = AccountServiceFixture()
        try await register(f)
        let a = try await login(f), b = try await login(f), c = try await login(f)
        XCTAssertEqual(try f.sessions.logoutOthers(token: a.token), 2)
        for t in [b.token, c.token] {
            XCTAssertThrowsError(try f.sessions.check(token: t)) { XCTAssertEqual($0 as? RiegelError, .sessionExpired(.revoked)) }
        }
        try f.sessions.logout(token: a.token)
        XCTAssertThrowsError(try f.sessions.check(token: a.token)) { XCTAssertEqual($0 as? RiegelError, .sessionExpired(.revoked)) }
        XCTAssertThrowsError(try f.sessions.logout(token: a.token))
    }

    func testListSessionsShowsEachLiveSessionWithItsClientInfo() async throws {
        let f = AccountServiceFixture()
        try await register(f)
        let a = try await login(f, ip: "192.0.2.1")
        f.clock.advance(seconds: 1)
        _ = try await login(f, ip: "192.0.2.2")
        let listed = try f.sessions.list(token: a.token)
        XCTAssertEqual(listed.map(\.clientIP), ["192.0.2.1", "192.0.2.2"])
        XCTAssertEqual(listed.first?.info.sessionID, a.info.sessionID)
        XCTAssertTrue(listed.allSatisfy { $0.userAgent == "ua" && $0.info.assurance == .password })
    }

    func testEveryOpenedSessionRecordsTheLoginTimeOnTheAccount() async throws {
        let f = AccountServiceFixture()
        try await register(f)
        let id = try XCTUnwrap(f.accounts.account(usernameKey: "sam")?.id)
        XCTAssertNil(try f.accounts.account(id: id)?.lastLoginAt, "registering is not a login")
        f.clock.advance(seconds: 30)
        _ = try await login(f, ip: "192.0.2.1")
        XCTAssertEqual(try f.accounts.account(id: id)?.lastLoginAt, f.clock.now())
        f.clock.advance(seconds: 30)
        _ = try await login(f, ip: "192.0.2.2")
        XCTAssertEqual(try f.accounts.account(id: id)?.lastLoginAt, f.clock.now(), "the newest login wins")
    }

    func testOpeningMoreThanTheCapEndsTheOldestSession() async throws {
        let f = AccountServiceFixture(sessionPolicy: SessionPolicy(maxPerUser: 3))
        try await register(f)
        var tokens: [String] = []
        for _ in 0..<4 {
            tokens.append(try await login(f).token)
            f.clock.advance(seconds: 1)
        }
        XCTAssertThrowsError(try f.sessions.check(token: tokens[0])) { XCTAssertEqual($0 as? RiegelError, .sessionExpired(.revoked)) }
        for t in tokens.dropFirst() { _ = try f.sessions.check(token: t) }
        XCTAssertEqual(f.sessions.liveCount(of: try f.sessions.check(token: tokens[3]).userID), 3)
    }

    func testSweeperDropsDeadSessionsButKeepsRevokedOnesUntilTheyWouldExpire() async throws {
        let f = AccountServiceFixture()
        try await register(f)
        let live = try await login(f), revoked = try await login(f), idle = try await login(f)
        try f.sessions.logout(token: revoked.token)
        f.clock.advance(seconds: 600)
        _ = try f.sessions.check(token: live.token)
        XCTAssertEqual(try f.sessions.sweep(), 0)
        XCTAssertThrowsError(try f.sessions.check(token: revoked.token)) { XCTAssertEqual($0 as? RiegelError, .sessionExpired(.revoked)) }
        f.clock.advance(seconds: 300)
        XCTAssertEqual(try f.sessions.sweep(), 2, "the idle one and the revoked one")
        XCTAssertThrowsError(try f.sessions.check(token: idle.token)) { XCTAssertEqual($0 as? RiegelError, .invalidToken) }
        _ = try f.sessions.check(token: live.token)
    }
}
