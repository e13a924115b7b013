import RiegelCore
@testable import RiegelService
import RiegelTesting
import XCTest

/// Admin `ListAccounts` over in-memory fakes: paging with signed cursors,
/// limits, and what a row shows.
final class AccountListTests: XCTestCase {
    let strong = "Kl4vier-Sonate-Mond"

    private func register(_ f: AccountServiceFixture, _ names: [String]) async throws {
        for name in names {
            _ = try await f.service.register(username: name, password: strong, email: "\(name)@example.org",
                                             phone: nil, client: .init())
            f.clock.advance(seconds: 1)
        }
    }

    func testPagesFollowTheCursorToTheEndAndShowSignUpsMadeMeanwhile() async throws {
        let f = AccountServiceFixture()
        try await register(f, ["anna", "bert", "cleo", "dora", "emil"])
        let first = try await f.service.listAccounts(AccountListFilter(), limit: 2, after: nil)
        XCTAssertEqual(first.entries.map(\.summary.username), ["anna", "bert"])
        let cursor = try XCTUnwrap(first.next, "a full page with more after it must give a cursor")
        try await register(f, ["fritz"])
        let second = try await f.service.listAccounts(AccountListFilter(), limit: 2, after: cursor)
        XCTAssertEqual(second.entries.map(\.summary.username), ["cleo", "dora"])
        let third = try await f.service.listAccounts(AccountListFilter(), limit: 2, after: try XCTUnwrap(second.next))
        XCTAssertEqual(third.entries.map(\.summary.username), ["emil", "fritz"])
        XCTAssertNil(third.next, "the last page must give no cursor")
        let whole = try await f.service.listAccounts(AccountListFilter(), limit: nil, after: nil)
        XCTAssertEqual(whole.entries.count, 6)
        XCTAssertNil(whole.next)
    }

    func testEmptyListHasNoCursor() async throws {
        let f = AccountServiceFixture()
        let page = try await f.service.listAccounts(AccountListFilter(locked: true), limit: 5, after: nil)
        XCTAssertTrue(page.entries.isEmpty)
        XCTAssertNil(page.next)
    }

    func testLimitOutsideOneToTheMaximumIsInvalidFilter() async throws {
        let f = AccountServiceFixture()
        for limit in [0, -1, AccountService.maxListLimit + 1] {
            await expect(.invalidFilter(reason: "limit must be between 1 and 1000")) {
                _ = try await f.service.listAccounts(AccountListFilter(), limit: limit, after: nil)
            }
        }
        _ = try await f.service.listAccounts(AccountListFilter(), limit: AccountService.maxListLimit, after: nil)
    }

    func testMalformedOrForgedCursorsAreInvalidFilter() async throws {
        let f = AccountServiceFixture()
        try await register(f, ["anna", "bert", "cleo"])
        let firstPage = try await f.service.listAccounts(AccountListFilter(), limit: 1, after: nil)
        let cursor = try XCTUnwrap(firstPage.next)
        let parts = cursor.split(separator: ".").map(String.init)
        XCTAssertEqual(parts.count, 4)
        // The same position with the MAC of another payload, a position typed by hand, a flipped MAC bit.
        let otherPayload = Hex.encode(Array("0:u_forged".utf8))
        var flipped = Array(parts[3])
        flipped[0] = flipped[0] == "0" ? "1" : "0"
        let bad = ["", "garbage", "c1", "c2.\(parts[1]).\(parts[2]).\(parts[3])",
                   "c1.\(otherPayload).\(parts[2]).\(parts[3])", "c1.\(parts[1]).\(parts[2]).\(String(flipped))",
                   "c1.\(parts[1]).99.\(parts[3])", "c1.zz.\(parts[2]).\(parts[3])", cursor + ".x"]
        for text in bad {
            do {
                _ = try await f.service.listAccounts(AccountListFilter(), limit: 1, after: text)
                XCTFail("cursor \(text) must be refused")
            } catch RiegelError.invalidFilter(let reason) {
                XCTAssertTrue(reason.contains("cursor"), reason)
            }
        }
        let next = try await f.service.listAccounts(AccountListFilter(), limit: 1, after: cursor)
        XCTAssertEqual(next.entries.map(\.summary.username), ["bert"], "the unchanged cursor must still work")
    }

    func testCursorOutlivesAnOTPKeyRotation() async throws {
        let f = AccountServiceFixture()
        try await register(f, ["anna", "bert"])
        let firstPage = try await f.service.listAccounts(AccountListFilter(), limit: 1, after: nil)
        let cursor = try XCTUnwrap(firstPage.next)
        (f.service.keyedDigester as! FakeKeyedDigester).rotate(.otp)
        let next = try await f.service.listAccounts(AccountListFilter(), limit: 1, after: cursor)
        XCTAssertEqual(next.entries.map(\.summary.username), ["bert"])
    }

    func testRowShowsLiveSessionsAndOnlyALockInForce() async throws {
        let f = AccountServiceFixture()
        try await register(f, ["anna", "bert"])
        _ = try await f.service.login(username: "anna", password: strong, client: .init())
        try f.service.lock(username: "bert", reason: "fraud", until: f.clock.now().adding(seconds: 60))
        let page = try await f.service.listAccounts(AccountListFilter(), limit: nil, after: nil)
        let anna = try XCTUnwrap(page.entries.first { $0.summary.username == "anna" })
        let bert = try XCTUnwrap(page.entries.first { $0.summary.username == "bert" })
        XCTAssertEqual(anna.summary.sessions, 1)
        XCTAssertNotNil(anna.summary.lastLoginAt)
        XCTAssertNil(anna.summary.lockedUntil)
        XCTAssertEqual(bert.summary.lockedUntil, f.clock.now().adding(seconds: 60))
        let locked = try await f.service.listAccounts(AccountListFilter(locked: true), limit: nil, after: nil)
        XCTAssertEqual(locked.entries.map(\.summary.username), ["bert"])
        f.clock.advance(seconds: 61)
        let later = try await f.service.listAccounts(AccountListFilter(), limit: nil, after: nil)
        XCTAssertNil(later.entries.first { $0.summary.username == "bert" }?.summary.lockedUntil,
                     "an expired lock must not be shown")
        let none = try await f.service.listAccounts(AccountListFilter(locked: true), limit: nil, after: nil)
        XCTAssertTrue(none.entries.isEmpty)
    }
}
