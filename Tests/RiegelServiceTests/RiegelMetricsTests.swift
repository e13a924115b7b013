import Dispatch
import MetricsTestKit
import RiegelCore
@testable import RiegelService
import RiegelTesting
import XCTest

/// What the use cases report through swift-metrics (issue 18), read back
/// through MetricsTestKit: each counter counts what its name says.
final class RiegelMetricsTests: XCTestCase {
    let strong = "Kl4vier-Sonate-Mond"
    let phone = "+49 151 23456789"

    func counter(_ m: TestMetrics, _ label: String, _ dimensions: [(String, String)] = []) throws -> Int64 {
        try m.expectCounter(label, dimensions).totalValue
    }

    func gauge(_ m: TestMetrics, _ label: String, _ dimensions: [(String, String)] = []) throws -> Double? {
        try m.expectGauge(label, dimensions).lastValue
    }

    /// Runs `body` and asserts it throws (which error is other tests' business).
    func fails(file: StaticString = #filePath, line: UInt = #line, _ body: () async throws -> Void) async {
        do {
            try await body()
            XCTFail("expected an error", file: file, line: line)
        } catch {}
    }

    func lastCode(_ f: AccountServiceFixture) throws -> String {
        let text = try XCTUnwrap(f.gateway.delivered.last?.text)
        return String(try XCTUnwrap(text.split { !$0.isASCII || !$0.isNumber }.first { $0.count == 6 }))
    }

    func testEveryFixedSeriesExistsAtZeroBeforeTheFirstEvent() throws {
        let m = TestMetrics()
        _ = RiegelMetrics(factory: m)
        for outcome in RiegelMetrics.LoginOutcome.allCases {
            XCTAssertEqual(try counter(m, "riegel_logins_total", [("outcome", outcome.rawValue)]), 0)
        }
        for outcome in RiegelMetrics.SessionCheckOutcome.allCases {
            XCTAssertEqual(try counter(m, "riegel_session_checks_total", [("outcome", outcome.rawValue)]), 0)
        }
    }

    func testEachSessionCheckOutcomeLandsInItsOwnCounter() throws {
        let m = TestMetrics()
        let metrics = RiegelMetrics(factory: m)
        for (i, outcome) in RiegelMetrics.SessionCheckOutcome.allCases.enumerated() {
            for _ in 0...i { metrics.sessionCheck(outcome) }
        }
        for (i, outcome) in RiegelMetrics.SessionCheckOutcome.allCases.enumerated() {
            XCTAssertEqual(try counter(m, "riegel_session_checks_total", [("outcome", outcome.rawValue)]), Int64(i + 1),
                           outcome.rawValue)
        }
        XCTAssertEqual(RiegelMetrics.sessionCheckOutcome(of: .sessionExpired(.revoked)), .revoked)
        XCTAssertEqual(RiegelMetrics.sessionCheckOutcome(of: .sessionExpired(.idle)), .idle)
        XCTAssertEqual(RiegelMetrics.sessionCheckOutcome(of: .sessionExpired(.absolute)), .absolute)
        XCTAssertEqual(RiegelMetrics.sessionCheckOutcome(of: .invalidToken), .invalidToken)
        XCTAssertEqual(RiegelMetrics.sessionCheckOutcome(of: .sessionExpired(.unknown)), .other)
    }

    func testLoginsAreCountedByOutcome() async throws {
        let m = TestMetrics()
        let f = AccountServiceFixture(metrics: RiegelMetrics(factory: m))
        _ = try await f.service.register(username: "anna", password: strong, email: nil, phone: nil, client: .init())
        _ = try await f.service.login(username: "anna", password: strong, client: .init())
        for _ in 0..<2 {
            await fails { _ = try await f.service.login(username: "anna", password: "Wrong-Wrong-99", client: .init()) }
        }
        await fails { _ = try await f.service.login(username: "nobody", password: strong, client: .init()) }
        XCTAssertEqual(try counter(m, "riegel_logins_total", [("outcome", "success")]), 1)
        XCTAssertEqual(try counter(m, "riegel_logins_total", [("outcome", "invalid_credentials")]), 3)
        XCTAssertEqual(try counter(m, "riegel_logins_total", [("outcome", "challenge_required")]), 0)
        XCTAssertEqual(try gauge(m, "riegel_sessions_live"), 1)
        // Every step above was audited, and each append counted.
        XCTAssertEqual(try counter(m, "riegel_audit_appends_total", [("result", "appended")]),
                       Int64(try f.auditLog.query(AuditFilter(), limit: nil).entries.count))
    }

    func testSecondFactorVerificationsAreCountedByFactorAndOutcomeAndCodesByCountry() async throws {
        let m = TestMetrics()
        let f = AccountServiceFixture(metrics: RiegelMetrics(factory: m))
        let (_, enrol) = try await f.service.register(username: "sofia", password: strong, email: nil, phone: phone,
                                                      client: .init())
        _ = try await f.service.verifyChallenge(id: try XCTUnwrap(enrol).id.rawValue, code: try lastCode(f),
                                                rememberDevice: false, deviceLabel: nil, client: .init())
        let challenge = try await f.service.login(username: "sofia", password: strong, client: .init()).challenge
        let code = try lastCode(f)
        await fails {
            _ = try await f.service.verifyChallenge(id: challenge.id.rawValue, code: code == "000000" ? "111111" : "000000",
                                                    rememberDevice: false, deviceLabel: nil, client: .init())
        }
        _ = try await f.service.verifyChallenge(id: challenge.id.rawValue, code: code, rememberDevice: false,
                                                deviceLabel: nil, client: .init())
        await fails {
            _ = try await f.service.verifyChallenge(id: challenge.id.rawValue, code: code, rememberDevice: false,
                                                    deviceLabel: nil, client: .init())
        }
        let sf = "riegel_second_factor_verifications_total"
        XCTAssertEqual(try counter(m, sf, [("factor", "sms"), ("outcome", "success")]), 2)
        XCTAssertEqual(try counter(m, sf, [("factor", "sms"), ("outcome", "wrong_code")]), 1)
        XCTAssertEqual(try counter(m, sf, [("factor", "sms"), ("outcome", "already_used")]), 1)
        XCTAssertEqual(try counter(m, "riegel_sms_codes_verified_total", [("country_code", "49")]), 2)
        XCTAssertEqual(try counter(m, "riegel_logins_total", [("outcome", "challenge_required")]), 1)
    }

    func testLockoutsAreCountedAsThrottleEvents() async throws {
        let m = TestMetrics()
        // A delay from the 2nd failure, a lockout at the 4th (the clock moves past each delay).
        let throttle = try LoginThrottle(accountPolicy: ThrottlePolicy(
            delayThreshold: 2, initialDelay: 1, maximumDelay: 1, lockout: .init(threshold: 4)))
        let f = AccountServiceFixture(policy: AccountPolicy(throttle: throttle, resetMinimumResponse: 0),
                                      metrics: RiegelMetrics(factory: m))
        _ = try await f.service.register(username: "anna", password: strong, email: nil, phone: nil, client: .init())
        for _ in 0..<4 {
            await fails { _ = try await f.service.login(username: "anna", password: "Wrong-Wrong-99", client: .init()) }
            f.clock.advance(seconds: 2)
        }
        XCTAssertGreaterThan(try counter(m, "riegel_throttle_events_total", [("kind", "delay")]), 0)
        XCTAssertEqual(try counter(m, "riegel_throttle_events_total", [("kind", "lockout")]), 1)
    }

    func testThePoolReportsItsLoadAndCountsRefusals() async throws {
        let m = TestMetrics()
        let hasher = CountingHasher()
        let entered = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        hasher.hold.withLock { $0 = (entered, release) }
        let pool = PasswordHashingPool(hasher: hasher, configuration: .init(workers: 1, queueLimit: 0),
                                       metrics: RiegelMetrics(factory: m))
        let phc = try hasher.hash(Array("x".utf8))
        let held = Task { try await pool.verify("x", against: phc) }
        entered.wait()
        XCTAssertEqual(try gauge(m, "riegel_password_hash_in_flight"), 1)
        do {
            _ = try await pool.verify("y", against: phc)
            XCTFail("a full pool must refuse")
        } catch PasswordHashingPoolError.overloaded {}
        XCTAssertEqual(try counter(m, "riegel_password_hash_overloaded_total"), 1)
        release.signal()
        _ = try await held.value
        // The caller resumes before the worker marks itself idle; the gauge follows that mark.
        let deadline = ContinuousClock.now + .seconds(5)
        while pool.load.running > 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(1)) }
        XCTAssertEqual(try gauge(m, "riegel_password_hash_in_flight"), 0)
        XCTAssertEqual(try gauge(m, "riegel_password_hash_queued"), 0)
        XCTAssertEqual(try gauge(m, "riegel_password_hash_workers"), 1)
        await pool.shutdown()
    }
}
