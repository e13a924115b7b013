import Foundation
import RiegelCore
import RiegelTesting
import XCTest

final class SMSSendCapsTests: XCTestCase {
    private var clock = ManualClock()
    private var phone = SMSSendWindow()
    private var user = SMSSendWindow()
    private var country = SMSSendWindow()
    private var global = SMSSendWindow()

    override func setUp() {
        clock = ManualClock()
        phone = SMSSendWindow()
        user = SMSSendWindow()
        country = SMSSendWindow()
        global = SMSSendWindow()
    }

    private func check(_ caps: SMSSendCaps) -> SMSCapDecision {
        caps.check(phone: phone, user: user, country: country, global: global, now: clock.now())
    }

    private func send(_ caps: SMSSendCaps) {
        caps.record(phone: &phone, user: &user, country: &country, global: &global, now: clock.now())
    }

    func testCapPerPhoneNumber() throws {
        let caps = try SMSSendCaps(perPhone: 3, perUser: 100, perCountry: 100, global: 100)
        for _ in 1...3 {
            XCTAssertEqual(check(caps), .allowed)
            send(caps)
            clock.advance(seconds: 60)
        }
        // The first send's bucket (the minute from t0) leaves the window at
        // t0 + 3600 + 60: one bucket after the exact time, never before it.
        XCTAssertEqual(check(caps), .capped(.phone, retryAfter: 3660 - 180))
        XCTAssertEqual(check(caps).error, .tooManyAttempts(retryAfterSeconds: 3480))
        // A different number (new phone window) of the same user is fine.
        phone = SMSSendWindow()
        XCTAssertEqual(check(caps), .allowed)
    }

    func testCapPerUser() throws {
        let caps = try SMSSendCaps(perPhone: 100, perUser: 2, perCountry: 100, global: 100)
        send(caps)
        send(caps)
        phone = SMSSendWindow()
        XCTAssertEqual(check(caps), .capped(.user, retryAfter: 3660))
    }

    func testCapPerCountryCode() throws {
        let caps = try SMSSendCaps(perPhone: 100, perUser: 100, perCountry: 2, global: 100)
        send(caps)
        user = SMSSendWindow()
        phone = SMSSendWindow()
        send(caps)
        user = SMSSendWindow()
        phone = SMSSendWindow()
        XCTAssertEqual(check(caps), .capped(.country, retryAfter: 3660))
    }

    func testGlobalCap() throws {
        let caps = try SMSSendCaps(perPhone: 100, perUser: 100, perCountry: 100, global: 2)
        send(caps)
        send(caps)
        (phone, user, country) = (SMSSendWindow(), SMSSendWindow(), SMSSendWindow())
        XCTAssertEqual(check(caps), .capped(.global, retryAfter: 3660))
    }

    func testCapsSlideWithTheWindow() throws {
        let caps = try SMSSendCaps(perPhone: 2)
        send(caps)
        clock.advance(seconds: 1000)
        send(caps)
        XCTAssertEqual(check(caps), .capped(.phone, retryAfter: 2660))
        clock.advance(seconds: 2600)
        // The first send is an hour old, but its bucket (t0 … t0 + 60) is
        // counted until the whole of it has left the window.
        XCTAssertEqual(check(caps), .capped(.phone, retryAfter: 60))
        clock.advance(seconds: 60)
        XCTAssertEqual(check(caps), .allowed)
    }

    func testTheLongestWaitIsReported() throws {
        let caps = try SMSSendCaps(perPhone: 1, perUser: 2, perCountry: 100, global: 100)
        send(caps)
        clock.advance(seconds: 100)
        send(caps)
        XCTAssertEqual(check(caps), .capped(.phone, retryAfter: 3620))
        XCTAssertEqual(caps.check(phone: SMSSendWindow(), user: user, country: country, global: global, now: clock.now()),
                       .capped(.user, retryAfter: 3560))
    }

    func testWindowsStayBoundedAndCodable() throws {
        let caps = try SMSSendCaps(perPhone: 3)
        for _ in 1...5000 {
            send(caps)
            clock.advance(seconds: 1)
        }
        // Sends at t0 … t0 + 4999, now t0 + 5000: the 3599 of the last hour
        // (from t0 + 1401) and the 21 of the oldest bucket still counted
        // (t0 + 1380 … t0 + 1400).
        XCTAssertEqual(global.count(now: clock.now(), window: caps.window), 3599 + 21)
        XCTAssertLessThanOrEqual(global.buckets.count, SMSSendWindow.bucketsPerWindow + 1)
        XCTAssertEqual(try JSONDecoder().decode(SMSSendWindow.self, from: JSONEncoder().encode(phone)), phone)
        XCTAssertEqual(try JSONDecoder().decode(SMSSendWindow.self, from: JSONEncoder().encode(global)), global)
    }

    func testDefaults() {
        let caps = SMSSendCaps.default
        XCTAssertEqual([caps.perPhone, caps.perUser, caps.perCountry, caps.global], [8, 10, 200, 1000])
        XCTAssertEqual(caps.window, 3600)
        XCTAssertThrowsError(try SMSSendCaps(perCountry: 0))
    }

    func testAForgottenSendFreesItsPlaceOnEveryWindowAndOnlyThatOne() throws {
        let caps = try SMSSendCaps(perPhone: 2, perUser: 2, perCountry: 2, global: 2)
        let first = clock.now()
        caps.record(phone: &phone, user: &user, country: &country, global: &global, now: first)
        clock.advance(seconds: 65)
        caps.record(phone: &phone, user: &user, country: &country, global: &global, now: clock.now())
        XCTAssertNotEqual(caps.check(phone: phone, user: user, country: country, global: global, now: clock.now()), .allowed)
        caps.forget(phone: &phone, user: &user, country: &country, global: &global, sendAt: clock.now(), now: clock.now())
        XCTAssertEqual(caps.check(phone: phone, user: user, country: country, global: global, now: clock.now()), .allowed)
        let k0 = SMSSendWindow.index(of: first, width: 60)
        XCTAssertEqual(phone.buckets, [.init(index: k0, count: 1)], "the earlier send stays")
        caps.forget(phone: &phone, user: &user, country: &country, global: &global, sendAt: first.adding(seconds: 130),
                    now: clock.now())
        XCTAssertEqual(global.buckets, [.init(index: k0, count: 1)],
                       "forgetting a time after every recorded send changes nothing")
    }
}
