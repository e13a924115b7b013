import RiegelCore
@testable import RiegelService
import RiegelTesting
import XCTest

/// Security rule 6 on the session model.
final class SessionServiceTests: XCTestCase {
    func openSession(_ f: AccountServiceFixture) async throws -> NewSession {
        _ = try await f.service.register(username: "sam", password: "Kl4vier-Sonate-Mond", email: nil, phone: nil,
                                         client: .init())
        return try await f.service.login(username: "sam", password: "Kl4vier-Sonate-Mond", client: .init())
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
        let (_, _, info) = try f.sessions.check(token: s.token)
        XCTAssertEqual(info.expiresAt, s.info.expiresAt)
        XCTAssertEqual(info.idleExpiresAt, info.expiresAt)
    }
}
