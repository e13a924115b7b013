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
        XCTAssertEqual(check(caps), .capped(.phone, retryAfter: 3600 - 180))
        XCTAssertEqual(check(caps).error, .tooManyAttempts(retryAfterSeconds: 3420))
        // A different number (new phone window) of the same user is fine.
        phone = SMSSendWindow()
        XCTAssertEqual(check(caps), .allowed)
    }

    func testCapPerUser() throws {
        let caps = try SMSSendCaps(perPhone: 100, perUser: 2, perCountry: 100, global: 100)
        send(caps)
        send(caps)
        phone = SMSSendWindow()
        XCTAssertEqual(check(caps), .capped(.user, retryAfter: 3600))
    }

    func testCapPerCountryCode() throws {
        let caps = try SMSSendCaps(perPhone: 100, perUser: 100, perCountry: 2, global: 100)
        send(caps)
        user = SMSSendWindow()
        phone = SMSSendWindow()
        send(caps)
        user = SMSSendWindow()
        phone = SMSSendWindow()
        XCTAssertEqual(check(caps), .capped(.country, retryAfter: 3600))
    }

    func testGlobalCap() throws {
        let caps = try SMSSendCaps(perPhone: 100, perUser: 100, perCountry: 100, global: 2)
        send(caps)
        send(caps)
        (phone, user, country) = (SMSSendWindow(), SMSSendWindow(), SMSSendWindow())
        XCTAssertEqual(check(caps), .capped(.global, retryAfter: 3600))
    }

    func testCapsSlideWithTheWindow() throws {
        let caps = try SMSSendCaps(perPhone: 2)
        send(caps)
        clock.advance(seconds: 1000)
        send(caps)
        XCTAssertEqual(check(caps), .capped(.phone, retryAfter: 2600))
        clock.advance(seconds: 2600)
        XCTAssertEqual(check(caps), .allowed)
    }

    func testTheLongestWaitIsReported() throws {
        let caps = try SMSSendCaps(perPhone: 1, perUser: 2, perCountry: 100, global: 100)
        send(caps)
        clock.advance(seconds: 100)
        send(caps)
        XCTAssertEqual(check(caps), .capped(.phone, retryAfter: 3600))
        XCTAssertEqual(caps.check(phone: SMSSendWindow(), user: user, country: country, global: global, now: clock.now()),
                       .capped(.user, retryAfter: 3500))
    }

    func testWindowsStayBoundedAndCodable() throws {
        let caps = try SMSSendCaps(perPhone: 3)
        for _ in 1...50 {
            send(caps)
            clock.advance(seconds: 1)
        }
        XCTAssertEqual(phone.sends.count, 3)
        XCTAssertEqual(global.sends.count, 50)
        XCTAssertEqual(try JSONDecoder().decode(SMSSendWindow.self, from: JSONEncoder().encode(phone)), phone)
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
        clock.advance(seconds: 5)
        caps.record(phone: &phone, user: &user, country: &country, global: &global, now: clock.now())
        XCTAssertNotEqual(caps.check(phone: phone, user: user, country: country, global: global, now: clock.now()), .allowed)
        caps.forget(phone: &phone, user: &user, country: &country, global: &global, sendAt: clock.now())
        XCTAssertEqual(caps.check(phone: phone, user: user, country: country, global: global, now: clock.now()), .allowed)
        XCTAssertEqual(phone.sends, [first], "the earlier send stays")
        caps.forget(phone: &phone, user: &user, country: &country, global: &global, sendAt: first.adding(seconds: 1))
        XCTAssertEqual(global.sends, [first], "forgetting a time with no send changes nothing")
    }
}
