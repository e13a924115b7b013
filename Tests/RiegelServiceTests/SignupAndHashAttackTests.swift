import RiegelCore
@testable import RiegelService
import RiegelTesting
import XCTest

/// Issue 11, items 5, 7 and 10 at the use-case level (the socket-level
/// replays are in `Tests/IntegrationTests/test_attacks_caps.py`).
final class SignupAndHashAttackTests: XCTestCase {
    let strong = "Kl4vier-Sonate-Mond"

    func lastCode(_ f: AccountServiceFixture) throws -> String {
        let text = try XCTUnwrap(f.gateway.delivered.last?.text)
        return String(try XCTUnwrap(text.split { !$0.isASCII || !$0.isNumber }.first { $0.count == 6 }))
    }

    func phone(_ i: Int) -> String { "+49151" + String(20_000_000 + i) }

    func capped(_ f: AccountServiceFixture) throws -> [AuditEvent] {
        try f.auditLog.query(AuditFilter(types: ["sms.capped"]), limit: nil).entries.map(\.event)
    }

    // MARK: item 5

    func testSignupFloodUsesUpTheEnrolmentBudgetButTheEnrolledUserStillGetsALoginCode() async throws {
        let caps = try SMSSendCaps(perCountry: 3, global: 3, enrolmentPerCountry: 3, enrolmentGlobal: 3)
        let f = AccountServiceFixture(smsPolicy: AccountServiceFixture.smsPolicy(caps: caps))
        let (_, c) = try await f.service.register(username: "sofia", password: strong, email: nil, phone: phone(0),
                                                  client: .init(ip: "192.0.2.1"))
        _ = try await f.service.verifyChallenge(id: try XCTUnwrap(c).id.rawValue, code: try lastCode(f),
                                                rememberDevice: false, deviceLabel: nil, client: .init())
        for i in 1...2 {
            _ = try await f.service.register(username: "flood\(i)", password: strong, email: nil, phone: phone(i),
                                             client: .init(ip: "198.51.100.\(i)"))
        }
        // An hour and the rest of the sends' one-minute bucket (the clock stands still).
        await expect(.tooManyAttempts(retryAfterSeconds: 3660)) {
            _ = try await f.service.register(username: "flood3", password: self.strong, email: nil, phone: self.phone(3),
                                             client: .init(ip: "198.51.100.3"))
        }
        XCTAssertNil(try f.accounts.account(usernameKey: "flood3"), "a capped sign-up leaves no account")
        for _ in 0..<3 {
            _ = try await f.service.login(username: "sofia", password: strong, client: .init()).challenge
        }
        let events = try capped(f)
        XCTAssertEqual(events.map(\.reason), ["country"])
        XCTAssertEqual(events.first?.details["budget"], "enrolment")
        XCTAssertEqual(events.first?.details["purpose"], "enroll_phone")
    }

    func testRegisterWithAPhoneIsCappedPerClientAddressAndWithoutOneInOneSharedBucket() async throws {
        let caps = try SMSSendCaps(enrolmentPerClient: 2)
        let f = AccountServiceFixture(smsPolicy: AccountServiceFixture.smsPolicy(caps: caps))
        for (i, ip) in ["2001:db8::1", "2001:db8::2"].enumerated() {
            _ = try await f.service.register(username: "pump\(i)", password: strong, email: nil, phone: phone(i),
                                             client: .init(ip: ip))
        }
        await expect(.tooManyAttempts(retryAfterSeconds: 3660)) {
            _ = try await f.service.register(username: "pump2", password: self.strong, email: nil, phone: self.phone(2),
                                             client: .init(ip: "2001:db8::3"))
        }
        // Without a phone no SMS goes out, so no SMS cap applies.
        _ = try await f.service.register(username: "pump2", password: strong, email: nil, phone: nil,
                                         client: .init(ip: "2001:db8::3"))
        for i in 3...4 {
            _ = try await f.service.register(username: "pump\(i)", password: strong, email: nil, phone: phone(i), client: .init())
        }
        await expect(.tooManyAttempts(retryAfterSeconds: 3660)) {
            _ = try await f.service.register(username: "pump5", password: self.strong, email: nil, phone: self.phone(5),
                                             client: .init())
        }
        XCTAssertEqual(try capped(f).map(\.reason), ["client", "client"])
        f.clock.advance(seconds: 3660)
        _ = try await f.service.register(username: "pump5", password: strong, email: nil, phone: phone(5), client: .init())
    }

    // MARK: item 7

    func testStoredHashOverTheCostCapsFailsClosedAsAWrongPasswordWithoutRunningAndIsAudited() async throws {
        let f = AccountServiceFixture()
        let heavy = try FakePasswordHasher(cost: FakePasswordHasher.costCap + 1).hash(Array(strong.utf8))
        let id = try f.service.importAccount(username: "heavy", passwordHash: heavy, email: nil)
        await expect(.invalidCredentials) {
            _ = try await f.service.login(username: "heavy", password: self.strong, client: .init())
        }
        let events = try f.auditLog.query(AuditFilter(), limit: nil).entries.map(\.event)
        let refused = try XCTUnwrap(events.first { $0.type == "password.hash_refused" })
        XCTAssertEqual(refused.reason, "cost_above_limit")
        XCTAssertEqual(refused.userID, id)
        XCTAssertEqual(events.last { $0.type == "login.failed" }?.reason, "wrong_password")
        XCTAssertFalse(f.logs.lines.withLock { $0 }.joined().contains(heavy), "the hash must not be logged")
        // It counts as a failure for the throttle like any wrong password.
        XCTAssertNotNil(try f.throttles.state(for: "account:heavy"))
    }

    // MARK: item 10

    func testProbingTakenUsernamesByRegisterIsThrottledPerClientAddressAndAudited() async throws {
        let f = AccountServiceFixture()
        _ = try await f.service.register(username: "alice", password: strong, email: nil, phone: nil, client: .init())
        let prober = ClientContext(ip: "203.0.113.9")
        for _ in 0..<5 {
            await expect(.usernameTaken) {
                _ = try await f.service.register(username: "alice", password: self.strong, email: nil, phone: nil,
                                                 client: prober)
            }
        }
        await expect(.tooManyAttempts(retryAfterSeconds: 1)) {
            _ = try await f.service.register(username: "alice", password: self.strong, email: nil, phone: nil, client: prober)
        }
        await expect(.tooManyAttempts(retryAfterSeconds: 1)) {
            _ = try await f.service.register(username: "free", password: self.strong, email: nil, phone: nil, client: prober)
        }
        XCTAssertNil(try f.accounts.account(usernameKey: "free"), "a throttled Register makes nothing")
        await expect(.usernameTaken) {
            _ = try await f.service.register(username: "alice", password: self.strong, email: nil, phone: nil,
                                             client: .init(ip: "198.51.100.1"))
        }
        // Login failures from the address are a separate count.
        XCTAssertNil(try f.throttles.state(for: "ip:203.0.113.9"))
        f.clock.advance(seconds: 1)
        _ = try await f.service.register(username: "free", password: strong, email: nil, phone: nil, client: prober)
        let refused = try f.auditLog.query(AuditFilter(types: ["register.refused"]), limit: nil).entries.map(\.event)
        XCTAssertEqual(refused.map(\.reason), Array(repeating: "username_taken", count: 5) + ["throttled", "throttled",
                                                                                             "username_taken"])
        XCTAssertEqual(refused.first?.clientIP, "203.0.113.9")
    }

    func testKnownUserWithACheapHashIsPaddedToTheVerificationFloor() async throws {
        let f = AccountServiceFixture()
        f.service.verificationFloor.record(.milliseconds(80))
        let cheap = try FakePasswordHasher(cost: 7).hash(Array(strong.utf8))  // not the configured cost: no reference
        _ = try f.service.importAccount(username: "cheap", passwordHash: cheap, email: nil)
        let started = ContinuousClock.now
        await expect(.invalidCredentials) {
            _ = try await f.service.login(username: "cheap", password: "Wrong-Wrong-99", client: .init())
        }
        XCTAssertGreaterThanOrEqual(started.duration(to: .now), .milliseconds(80))
    }

    /// Issue 11 item 10, the dearer case: a known user with an imported hash
    /// dearer than the configured one (bcrypt-12 next to argon2id) answered
    /// later than any unknown name. Unknown names are now verified against a
    /// sampled stored hash, the same one for the same name every time.
    func testUnknownUsernameIsVerifiedAgainstASampledStoredHashTheSameOneEveryTime() async throws {
        let f = AccountServiceFixture()
        let dear = try FakePasswordHasher(cost: 12).hash(Array(strong.utf8))
        _ = try f.service.importAccount(username: "dear", passwordHash: dear, email: nil)
        for _ in 0..<2 {
            f.hasher.verified.withLock { $0.removeAll() }
            await expect(.invalidCredentials) {
                _ = try await f.service.login(username: "nobody", password: strong, client: .init())
            }
            XCTAssertEqual(f.hasher.verified.withLock { $0 }, [dear],
                           "an unknown name must cost what the stored hash costs, and never log in with it")
        }
    }

    func testWithoutAnyAccountAnUnknownUsernameIsVerifiedAgainstTheDummyHash() async throws {
        let f = AccountServiceFixture()
        try await f.service.prepare()
        f.hasher.verified.withLock { $0.removeAll() }
        await expect(.invalidCredentials) {
            _ = try await f.service.login(username: "nobody", password: strong, client: .init())
        }
        let verified = f.hasher.verified.withLock { $0 }
        XCTAssertEqual(verified.count, 1)
        XCTAssertTrue(verified.first?.hasPrefix("$fake$v=1$") == true, "the dummy has the configured cost: \(verified)")
    }

    func testADecoyOverTheCostCapsIsNotRunAndTheDummyIsVerifiedInstead() async throws {
        let f = AccountServiceFixture()
        try await f.service.prepare()
        // Stored behind the importer's back (as a database edit would): over the fake's cap.
        let over = "$fake$v=\(FakePasswordHasher.costCap + 1)$00"
        let id = try f.service.importAccount(username: "over", passwordHash: try FakePasswordHasher(cost: 1).hash([0]), email: nil)
        try f.accounts.updatePasswordHash(id: id, try TransparentSecretSealer().seal(Array(over.utf8), purpose: .password,
                                                                     associatedData: f.service.aad(id)))
        f.hasher.verified.withLock { $0.removeAll() }
        await expect(.invalidCredentials) {
            _ = try await f.service.login(username: "nobody", password: strong, client: .init())
        }
        let verified = f.hasher.verified.withLock { $0 }
        XCTAssertEqual(verified.count, 2, "the refused decoy, then the dummy: \(verified)")
        XCTAssertEqual(verified.first, over)
        XCTAssertTrue(verified.last?.hasPrefix("$fake$v=1$") == true)
    }
}

/// ``VerificationFloor`` on an injected clock: no real time passes.
final class VerificationFloorTests: XCTestCase {
    /// A clock whose sleeps return at once, moving its time to the deadline.
    final class TestClock: Clock, @unchecked Sendable {
        struct Instant: InstantProtocol {
            var offset: Duration
            func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
            func duration(to other: Instant) -> Duration { other.offset - offset }
            static func < (a: Instant, b: Instant) -> Bool { a.offset < b.offset }
        }
        var now = Instant(offset: .zero)
        var minimumResolution: Duration { .nanoseconds(1) }
        var slept: [Duration] = []
        func sleep(until deadline: Instant, tolerance: Duration?) async throws {
            slept.append(now.duration(to: deadline))
            if now < deadline { now = deadline }
        }
        func advance(_ d: Duration) { now = now.advanced(by: d) }
    }

    func testCheaperVerificationsWaitUntilTheUpperQuartileOfReferenceRuns() async throws {
        let clock = TestClock()
        let floor = VerificationFloor(capacity: 8)
        for ms in [40, 42, 44, 46, 48, 50, 52, 200] {
            let result = try await floor.padded(clock: clock) {
                clock.advance(.milliseconds(ms))
                return ("ref", isReference: true)
            }
            XCTAssertEqual(result, "ref")
        }
        XCTAssertEqual(floor.floor, .milliseconds(52), "upper quartile: one outlier does not set the floor")
        let start = clock.now
        _ = try await floor.padded(clock: clock) {
            clock.advance(.milliseconds(1))  // a cheap legacy hash
            return (false, isReference: false)
        }
        XCTAssertEqual(start.duration(to: clock.now), .milliseconds(52))
        XCTAssertEqual(floor.floor, .milliseconds(52), "a non-reference run is not recorded")
        let slowStart = clock.now
        _ = try await floor.padded(clock: clock) {
            clock.advance(.milliseconds(300))  // an expensive legacy hash: never shortened
            return (false, isReference: false)
        }
        XCTAssertEqual(slowStart.duration(to: clock.now), .milliseconds(300))
    }

    func testNoReferenceYetMeansNoPaddingAndAFailureIsNotPadded() async throws {
        let clock = TestClock()
        let floor = VerificationFloor()
        XCTAssertEqual(floor.floor, .zero)
        _ = try await floor.padded(clock: clock) { (1, isReference: false) }
        XCTAssertEqual(clock.slept, [])
        floor.record(.seconds(1))
        struct Boom: Error {}
        do {
            _ = try await floor.padded(clock: clock) { () async throws -> (Int, isReference: Bool) in throw Boom() }
            XCTFail("the error must come through")
        } catch is Boom {}
        XCTAssertEqual(clock.slept, [], "an error (e.g. Overloaded) answers at once")
        XCTAssertEqual(floor.floor, .seconds(1))
        for _ in 0..<40 { floor.record(.milliseconds(5)) }
        XCTAssertEqual(floor.floor, .milliseconds(5), "only the newest `capacity` runs count")
    }
}
