import RiegelCore
import RiegelTesting
import XCTest

/// Issue 11, item 5: sign-ups and logins draw on separate SMS budgets, and
/// sign-ups with a phone are capped per client address.
final class SMSSendBudgetTests: XCTestCase {
    func testEveryPurposeHasItsBudget() {
        XCTAssertEqual(SMSSendBudget(.enrollPhone), .enrolment)
        XCTAssertEqual(SMSSendBudget(.login), .login)
        XCTAssertEqual(SMSSendBudget(.stepUp), .login)
        XCTAssertEqual(SMSSendBudget(.passwordReset), .login)
    }

    func testSignupFloodUsesUpOnlyTheEnrolmentBudgetNotTheLoginBudget() throws {
        let caps = try SMSSendCaps(perPhone: 100, perUser: 100, perCountry: 2, global: 2, enrolmentPerPhone: 100,
                                   enrolmentPerCountry: 3, enrolmentGlobal: 3, enrolmentPerClient: 100)
        let clock = ManualClock()
        var enrolment: [SMSCapKind: SMSSendWindow] = [.phone: .init(), .user: .init(), .country: .init(), .global: .init()]
        for _ in 0..<3 {
            XCTAssertEqual(caps.check(.enrolment, windows: enrolment, now: clock.now()), .allowed)
            caps.record(windows: &enrolment, now: clock.now())
        }
        XCTAssertEqual(caps.check(.enrolment, windows: enrolment, now: clock.now()), .capped(.country, retryAfter: 3660))
        // The login budget's windows are other windows: untouched.
        let login: [SMSCapKind: SMSSendWindow] = [.phone: .init(), .user: .init(), .country: .init(), .global: .init()]
        XCTAssertEqual(caps.check(.login, windows: login, now: clock.now()), .allowed)
    }

    func testClientCapAppliesToEnrolmentSendsThatNameAClientOnly() throws {
        let caps = try SMSSendCaps(enrolmentPerClient: 2)
        let clock = ManualClock()
        var w: [SMSCapKind: SMSSendWindow] = [.phone: .init(), .user: .init(), .country: .init(), .global: .init(),
                                              .client: .init()]
        caps.record(windows: &w, now: clock.now())
        clock.advance(seconds: 10)
        caps.record(windows: &w, now: clock.now())
        XCTAssertEqual(caps.check(.enrolment, windows: w, now: clock.now()), .capped(.client, retryAfter: 3650))
        // The login budget has no client cap; nor has a send that names no client.
        XCTAssertEqual(caps.check(.login, windows: w, now: clock.now()), .allowed)
        w[.client] = nil
        XCTAssertEqual(caps.check(.enrolment, windows: w, now: clock.now()), .allowed)
    }

    func testDefaultsAndBadValues() throws {
        let d = SMSSendCaps.default
        XCTAssertEqual([d.perPhone, d.perUser, d.perCountry, d.global], [8, 10, 200, 1000])
        XCTAssertEqual([d.enrolmentPerPhone, d.enrolmentPerCountry, d.enrolmentGlobal, d.enrolmentPerClient],
                       [4, 50, 200, 10])
        XCTAssertEqual(d.cap(.phone, budget: .enrolment), 4)
        XCTAssertEqual(d.cap(.user, budget: .enrolment), 10)
        XCTAssertThrowsError(try SMSSendCaps(enrolmentPerCountry: 0))
        XCTAssertThrowsError(try SMSSendCaps(enrolmentPerClient: 0))
    }

    func testClientAddressKeysCountAnIPv6SlashSixtyFourAsOneClient() {
        XCTAssertEqual(ClientAddressKey.of("2001:db8:7:1::1"), ClientAddressKey.of("2001:DB8:7:1:ffff:1:2:3"))
        XCTAssertEqual(ClientAddressKey.of("2001:db8:7:1::1"), "2001:db8:7:1::/64")
        XCTAssertNotEqual(ClientAddressKey.of("2001:db8:7:1::1"), ClientAddressKey.of("2001:db8:7:2::1"))
        XCTAssertEqual(ClientAddressKey.of("::ffff:192.0.2.7"), "192.0.2.7")
        XCTAssertEqual(ClientAddressKey.of("192.0.2.7"), "192.0.2.7")
        XCTAssertEqual(ClientAddressKey.of("fe80::1%eth0"), "fe80:0:0:0::/64")
        XCTAssertEqual(ClientAddressKey.of(nil), ClientAddressKey.unknown)
        XCTAssertEqual(ClientAddressKey.of("  "), ClientAddressKey.unknown)
        XCTAssertEqual(ClientAddressKey.of("1:::2"), "1:::2", "not an address: keyed by its text")
        XCTAssertEqual(ClientAddressKey.of(String(repeating: "x", count: 100)).count, 64)
    }
}
