import Foundation
@testable import RiegelClient
import XCTest

/// RiegelClient against a real riegeld process: the portal's flow from
/// registration to logout, typed errors, the admin and audit interfaces, and
/// the cancellation of a call riegeld is still working on.
final class RiegeldClientTests: XCTestCase {
    /// One daemon for the class. argon2id is made slow (64 passes, about a
    /// second per hash here) so that a login is still hashing when the
    /// cancellation test cancels it.
    nonisolated(unsafe) private static var daemon: RiegeldProcess?
    private static let password = "correct horse battery staple 42"

    override class func tearDown() {
        daemon?.stop()
        daemon = nil
        super.tearDown()
    }

    private func riegeld() async throws -> RiegeldProcess {
        if let daemon = Self.daemon { return daemon }
        let daemon = try await RiegeldProcess(extraConfig: """
            [password]
            iterations = 64
            """)
        Self.daemon = daemon
        return daemon
    }

    /// A username no other test in the run uses.
    private func freshUsername() -> String {
        "client-\(UUID().uuidString.prefix(8).lowercased())"
    }

    func testRegisterLoginCheckListLogoutThenTheSessionIsExpired() async throws {
        let daemon = try await riegeld()
        let riegel = RiegelClient(socketPath: daemon.socketPath)
        defer { Task { await riegel.close() } }
        let username = freshUsername()
        let client = ClientInfo(ip: "203.0.113.7", userAgent: "RiegelClientTests", language: "en")

        let registered = try await riegel.auth.register(username: username, password: Self.password, client: client)
        XCTAssertFalse(registered.userId.isEmpty)
        XCTAssertNil(registered.challenge, "no phone, no challenge")

        let login = try await riegel.auth.login(username: username, password: Self.password, client: client)
        XCTAssertNil(login.challenge)
        let session = try XCTUnwrap(login.session, "a password-only account logs in at once")
        XCTAssertEqual(session.info.userId, registered.userId)
        XCTAssertEqual(session.info.username, username)
        XCTAssertEqual(session.info.assurance, .password)

        let checked = try await riegel.auth.checkSession(token: session.token, touch: false)
        XCTAssertEqual(checked.info.sessionId, session.info.sessionId)
        XCTAssertEqual(checked.info.userId, registered.userId)

        let listed = try await riegel.auth.listSessions(token: session.token)
        XCTAssertEqual(listed.sessions.map(\.sessionId), [session.info.sessionId])

        try await riegel.auth.logout(token: session.token)
        await XCTAssertThrowsErrorAsync(try await riegel.auth.checkSession(token: session.token)) {
            XCTAssertEqual($0 as? RiegelClientError, .sessionExpired(reason: .revoked), "got \($0)")
        }
        // The errors left the connections in step: the next call works on them.
        let again = try await riegel.auth.login(username: username, password: Self.password)
        XCTAssertNotNil(again.session)
    }

    func testBadInputIsATypedError() async throws {
        let daemon = try await riegeld()
        let riegel = RiegelClient(socketPath: daemon.socketPath)
        defer { Task { await riegel.close() } }

        await XCTAssertThrowsErrorAsync(try await riegel.auth.register(username: "x", password: Self.password)) {
            guard case .invalidUsername(let reason)? = $0 as? RiegelClientError else { return XCTFail("got \($0)") }
            XCTAssertFalse(reason.isEmpty)
        }
        await XCTAssertThrowsErrorAsync(try await riegel.auth.register(username: freshUsername(), password: "short")) {
            guard case .weakPassword(let reasons)? = $0 as? RiegelClientError else { return XCTFail("got \($0)") }
            XCTAssertFalse(reasons.isEmpty)
        }
        await XCTAssertThrowsErrorAsync(try await riegel.auth.checkSession(token: "not-a-token")) {
            switch $0 as? RiegelClientError {
            case .sessionExpired?, .invalidToken?: break
            default: XCTFail("got \($0)")
            }
        }
        await XCTAssertThrowsErrorAsync(try await riegel.admin.getAccount(username: freshUsername())) {
            XCTAssertEqual($0 as? RiegelClientError, .noSuchAccount)
        }
        await XCTAssertThrowsErrorAsync(try await riegel.audit.query(filter: Filter(types: ["no.such.event"])).first { _ in true }) {
            guard case .invalidFilter? = $0 as? RiegelClientError else { return XCTFail("got \($0)") }
        }
    }

    func testAdminAndAuditInterfaces() async throws {
        let daemon = try await riegeld()
        let riegel = RiegelClient(socketPath: daemon.socketPath)
        defer { Task { await riegel.close() } }
        let username = freshUsername()
        let registered = try await riegel.auth.register(username: username, password: Self.password)

        let status = try await riegel.admin.status()
        XCTAssertEqual(status.state, .serving)
        XCTAssertTrue(status.checks.allSatisfy(\.ok), "\(status.checks)")
        let account = try await riegel.admin.getAccount(username: username)
        XCTAssertEqual(account.account.userId, registered.userId)
        let keys = try await riegel.admin.listKeys()
        XCTAssertEqual(Set(keys.keys.filter { $0.state == .active }.map(\.purpose)), Set(KeyPurpose.knownCases))

        // A streamed call: every account.created event of this user.
        var events: [Event] = []
        for try await reply in riegel.audit.query(filter: Filter(user: registered.userId, types: ["account.created"])) {
            if let event = reply.event { events.append(event) }
        }
        XCTAssertEqual(events.map(\.userId), [registered.userId], "\(events)")
        XCTAssertEqual(events.first?.outcome, .success)
        let verified = try await riegel.audit.verify()
        XCTAssertTrue(verified.ok, "\(verified)")
        // The stream ended with its final reply: its connection went back to the pool.
        XCTAssertLessThanOrEqual(riegel.pool.openConnections, 4)
    }

    func testCancellingALoginThatIsHashingThrowsCancellationErrorAndTheNextCallWorks() async throws {
        let daemon = try await riegeld()
        let riegel = RiegelClient(socketPath: daemon.socketPath, maxConnections: 1)
        defer { Task { await riegel.close() } }
        let username = freshUsername()
        _ = try await riegel.auth.register(username: username, password: Self.password)

        // How long a login hashes here.
        let clock = ContinuousClock()
        let before = clock.now
        _ = try await riegel.auth.login(username: username, password: Self.password)
        let full = clock.now - before
        XCTAssertGreaterThan(full, .milliseconds(300), "argon2id is too fast here for this test to cancel mid-hash")

        let password = Self.password
        let login = Task { try await riegel.auth.login(username: username, password: password) }
        try await Task.sleep(for: .milliseconds(100))
        let cancelledAt = clock.now
        login.cancel()
        do {
            let reply = try await login.value
            XCTFail("the cancelled login returned \(reply)")
        } catch {
            XCTAssertTrue(error is CancellationError, "got \(error)")
        }
        XCTAssertLessThan(clock.now - cancelledAt, full / 2, "the cancellation waited for riegeld")
        XCTAssertEqual(riegel.pool.openConnections, 0, "the connection of the abandoned login was kept")

        // A new connection, and the reply is this call's own.
        let checked = try await riegel.auth.login(username: username, password: Self.password)
        XCTAssertEqual(checked.session?.info.username, username)
    }
}
