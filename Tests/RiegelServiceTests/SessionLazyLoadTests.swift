import RiegelCore
@testable import RiegelService
import RiegelTesting
import XCTest

/// Serving before the stored sessions are loaded (issue 18): a session not
/// yet loaded is still found, and a revoked or expired one is never accepted,
/// whatever the order of pages, lookups and revocations (security rule 6).
final class SessionLazyLoadTests: XCTestCase {
    let password = "Kl4vier-Sonate-Mond"

    /// `count` sessions of "sam", then a restarted service that has begun loading but read no page.
    func stored(_ f: AccountServiceFixture, count: Int) async throws -> [NewSession] {
        _ = try await f.service.register(username: "sam", password: password, email: nil, phone: nil, client: .init())
        var out: [NewSession] = []
        for _ in 0..<count {
            out.append(try await f.service.login(username: "sam", password: password, client: .init()).session)
        }
        return out
    }

    func testAStoredSessionIsFoundBeforeAnyPageIsLoaded() async throws {
        let f = AccountServiceFixture()
        let s = try await stored(f, count: 3)
        try f.sessions.logout(token: s[1].token)
        let restarted = f.restartedSessions()
        restarted.beginLoading()
        XCTAssertEqual(restarted.count, 0, "nothing loaded yet")
        let checked = try restarted.check(token: s[0].token)
        XCTAssertEqual(checked.info.sessionID, s[0].info.sessionID)
        XCTAssertEqual(checked.info.username, "sam")
        XCTAssertThrowsError(try restarted.check(token: s[1].token)) {
            XCTAssertEqual($0 as? RiegelError, .sessionExpired(.revoked))
        }
        XCTAssertThrowsError(try restarted.check(token: "tok-never")) { XCTAssertEqual($0 as? RiegelError, .invalidToken) }
        XCTAssertEqual(restarted.count, 2, "only what was asked for was fetched")
    }

    func testTheInMemoryCheckLeavesATokenNotYetLoadedToTheStoreCheckAndReadsNothing() async throws {
        let f = AccountServiceFixture()
        let s = try await stored(f, count: 2)
        try f.sessions.logout(token: s[1].token)
        let restarted = f.restartedSessions()
        restarted.beginLoading()
        // In memory only: "not known yet" (nil), never a guess, and nothing fetched.
        XCTAssertNil(try restarted.checkLoaded(token: s[0].token))
        XCTAssertNil(try restarted.checkLoaded(token: s[1].token))
        XCTAssertNil(try restarted.checkLoaded(token: "tok-never"))
        XCTAssertEqual(restarted.count, 0, "checkLoaded read the store")
        // The store check (run in a task by CheckSession) decides, then memory knows.
        XCTAssertEqual(try restarted.check(token: s[0].token).info.sessionID, s[0].info.sessionID)
        XCTAssertEqual(try restarted.checkLoaded(token: s[0].token)?.info.sessionID, s[0].info.sessionID)
        // Once loaded, a miss is final in memory.
        try restarted.load()
        XCTAssertThrowsError(try restarted.checkLoaded(token: "tok-never")) {
            XCTAssertEqual($0 as? RiegelError, .invalidToken)
        }
        XCTAssertThrowsError(try restarted.checkLoaded(token: s[1].token)) {
            XCTAssertEqual($0 as? RiegelError, .sessionExpired(.revoked))
        }
    }

    func testAnExpiredStoredSessionIsNotAcceptedBeforeOrAfterTheLoad() async throws {
        let f = AccountServiceFixture()
        let s = try await stored(f, count: 1)
        f.clock.advance(seconds: 901)
        let restarted = f.restartedSessions()
        restarted.beginLoading()
        XCTAssertThrowsError(try restarted.check(token: s[0].token)) { XCTAssertEqual($0 as? RiegelError, .invalidToken) }
        try restarted.load()
        XCTAssertThrowsError(try restarted.check(token: s[0].token)) { XCTAssertEqual($0 as? RiegelError, .invalidToken) }
    }

    func testARevocationDuringTheLoadWinsOverAPageReadBeforeIt() async throws {
        let f = AccountServiceFixture()
        let s = try await stored(f, count: 2)
        let restarted = f.restartedSessions()
        restarted.beginLoading()
        // The loader read this page while both were live...
        let stalePage = try InMemorySessionStore(data: f.data).page(after: nil, limit: 10)
        // ...then an admin ended the user's sessions through the restarted service.
        XCTAssertEqual(try restarted.endAll(of: s[0].info.userID, reason: "admin"), 2)
        for record in stalePage { restarted.table.insertIfAbsent(record, username: "sam") }
        for session in s {
            XCTAssertThrowsError(try restarted.check(token: session.token)) {
                XCTAssertEqual($0 as? RiegelError, .sessionExpired(.revoked))
            }
        }
    }

    func testARevocationOfASessionNotYetHeldIsAppliedWhenItArrives() async throws {
        let f = AccountServiceFixture()
        let s = try await stored(f, count: 1)
        let record = try XCTUnwrap(try InMemorySessionStore(data: f.data).session(id: s[0].info.sessionID))
        let restarted = f.restartedSessions()
        restarted.beginLoading()
        restarted.table.markRevoked([s[0].info.sessionID])  // not held: remembered
        XCTAssertTrue(restarted.table.insertIfAbsent(record, username: "sam"))
        XCTAssertThrowsError(try restarted.check(token: s[0].token)) {
            XCTAssertEqual($0 as? RiegelError, .sessionExpired(.revoked))
        }
    }

    func testPagesLoadEverythingAndEndTheLoad() async throws {
        let f = AccountServiceFixture(sessionPolicy: SessionPolicy(maxPerUser: 100))
        let s = try await stored(f, count: 25)
        try f.sessions.logout(token: s[3].token)
        let restarted = f.restartedSessions()
        restarted.beginLoading()
        var cursor: SessionID?
        var pages = 0, added = 0
        repeat {
            let page = try restarted.loadStoredPage(after: cursor, limit: 10)
            cursor = page.next
            added += page.added
            pages += 1
        } while cursor != nil
        XCTAssertEqual(pages, 3)
        XCTAssertEqual(added, 24, "live sessions; the logged-out one is a tombstone")
        XCTAssertEqual(restarted.count, 25)
        XCTAssertFalse(restarted.isLoading)
        XCTAssertEqual(restarted.liveCount(), 24)
    }

    func testElevatingASessionNotYetLoadedWorksAndThePageDoesNotUndoIt() async throws {
        let f = AccountServiceFixture()
        let s = try await stored(f, count: 1)
        let stalePage = try InMemorySessionStore(data: f.data).page(after: nil, limit: 10)
        let restarted = f.restartedSessions()
        restarted.beginLoading()
        let elevated = try restarted.elevate(id: s[0].info.sessionID, reason: "step_up")
        for record in stalePage { restarted.table.insertIfAbsent(record, username: "sam") }
        XCTAssertThrowsError(try restarted.check(token: s[0].token), "the old token stays dead")
        XCTAssertEqual(try restarted.check(token: elevated.token).info.assurance, .secondFactor)
    }
}
