import RiegelCore
@testable import RiegelService
import RiegelTesting
import XCTest

/// The account use cases over in-memory fakes, one test per rule.
final class AccountServiceTests: XCTestCase {
    let strong = "Kl4vier-Sonate-Mond"

    // MARK: security rule 1

    func testUnknownUserAndWrongPasswordBothRunOneVerificationAndGiveInvalidCredentials() async throws {
        let f = AccountServiceFixture()
        _ = try await f.service.register(username: "max", password: strong, email: nil, phone: nil, client: .init())
        try await f.service.prepare()
        let before = f.hasher.verifications.load(ordering: .relaxed)
        await expect(.invalidCredentials) {
            _ = try await f.service.login(username: "max", password: "Wrong-Wrong-99", client: .init())
        }
        let afterWrong = f.hasher.verifications.load(ordering: .relaxed)
        await expect(.invalidCredentials) {
            _ = try await f.service.login(username: "nobody", password: strong, client: .init())
        }
        let afterUnknown = f.hasher.verifications.load(ordering: .relaxed)
        XCTAssertEqual(afterWrong - before, 1)
        XCTAssertEqual(afterUnknown - afterWrong, 1, "an unknown user must cost a (dummy) verification too")
    }

    // MARK: security rule 4

    func testFifthFailureDelaysTheNextLoginEvenWithTheRightPassword() async throws {
        let f = AccountServiceFixture()
        _ = try await f.service.register(username: "lena", password: strong, email: nil, phone: nil, client: .init())
        for _ in 0..<5 {
            await expect(.invalidCredentials) {
                _ = try await f.service.login(username: "lena", password: "Wrong-Wrong-99", client: .init())
            }
        }
        await expect(.tooManyAttempts(retryAfterSeconds: 1)) {
            _ = try await f.service.login(username: "lena", password: self.strong, client: .init())
        }
        f.clock.advance(seconds: 1)
        _ = try await f.service.login(username: "lena", password: strong, client: .init())
    }

    func testUnknownUsernamesAreThrottledLikeKnownOnes() async throws {
        let f = AccountServiceFixture()
        for _ in 0..<5 {
            await expect(.invalidCredentials) {
                _ = try await f.service.login(username: "ghost", password: "Wrong-Wrong-99", client: .init())
            }
        }
        await expect(.tooManyAttempts(retryAfterSeconds: 1)) {
            _ = try await f.service.login(username: "ghost", password: "Wrong-Wrong-99", client: .init())
        }
    }

    func testFailuresFromOneClientIPDelayOtherAccountsFromIt() async throws {
        let f = AccountServiceFixture()
        let client = ClientContext(ip: "198.51.100.7")
        for i in 0..<5 {
            await expect(.invalidCredentials) {
                _ = try await f.service.login(username: "user\(i)", password: "Wrong-Wrong-99", client: client)
            }
        }
        await expect(.tooManyAttempts(retryAfterSeconds: 1)) {
            _ = try await f.service.login(username: "someone-else", password: "x", client: client)
        }
        // Another address is not affected.
        await expect(.invalidCredentials) {
            _ = try await f.service.login(username: "someone-else", password: "x", client: .init(ip: "203.0.113.1"))
        }
    }

    func testTwentyFailuresLockTheAccountForThirtyMinutesThenItOpens() async throws {
        let f = AccountServiceFixture()
        _ = try await f.service.register(username: "lena", password: strong, email: nil, phone: nil, client: .init())
        var failures = 0
        while failures < 20 {
            do {
                _ = try await f.service.login(username: "lena", password: "Wrong-Wrong-99", client: .init())
            } catch RiegelError.invalidCredentials {
                failures += 1
            } catch RiegelError.tooManyAttempts(let wait) {
                f.clock.advance(seconds: Double(wait))
            }
        }
        do {
            _ = try await f.service.login(username: "lena", password: strong, client: .init())
            XCTFail("locked account let a login through")
        } catch RiegelError.accountLocked(let until) {
            XCTAssertNotNil(until)
            f.clock.set(until!)
        }
        _ = try await f.service.login(username: "lena", password: strong, client: .init())
    }

    // MARK: passwords

    func testLoginRehashesWhenTheConfiguredParametersChanged() async throws {
        let old = AccountServiceFixture(cost: 1)
        let (id, _) = try await old.service.register(username: "rita", password: strong, email: nil, phone: nil, client: .init())
        let stored = try XCTUnwrap(try old.accounts.account(id: id))
        let newer = AccountServiceFixture(cost: 2)
        try newer.accounts.create(stored)
        _ = try await newer.service.login(username: "rita", password: strong, client: .init())
        let rehashed = try XCTUnwrap(try newer.accounts.account(id: id))
        XCTAssertNotEqual(rehashed.passwordHash, stored.passwordHash)
        XCTAssertFalse(newer.hasher.needsRehash(try newer.service.storedHash(of: rehashed)))
    }

    func testWeakPasswordReportsEveryRuleAndCreatesNothing() async throws {
        let f = AccountServiceFixture()
        await expect(.weakPassword(reasons: ["too_short", "contains_username"])) {
            _ = try await f.service.register(username: "paul", password: "paul", email: nil, phone: nil, client: .init())
        }
        XCTAssertNil(try f.accounts.account(usernameKey: try Username("paul").canonicalKey))
    }

    // MARK: reset (security rule 5)

    func testResetTokenExpiresAfterItsLifetime() async throws {
        let f = AccountServiceFixture()
        _ = try await f.service.register(username: "ida", password: strong, email: nil, phone: nil, client: .init())
        let begun = try await f.service.beginPasswordReset(username: "ida", client: .init())
        let token = try XCTUnwrap(begun.token)
        f.clock.advance(seconds: 1800)
        await expect(.invalidToken) { try await f.service.completePasswordReset(token: token, newPassword: "Ganz-Neu-Und-Lang-7") }
    }

    func testResetEndsEverySessionAndTheTokenWorksOnce() async throws {
        let f = AccountServiceFixture()
        _ = try await f.service.register(username: "ida", password: strong, email: nil, phone: nil, client: .init())
        let session = try await f.service.login(username: "ida", password: strong, client: .init()).session
        let begun = try await f.service.beginPasswordReset(username: "ida", client: .init())
        let token = try XCTUnwrap(begun.token)
        try await f.service.completePasswordReset(token: token, newPassword: "Ganz-Neu-Und-Lang-7")
        XCTAssertThrowsError(try f.sessions.check(token: session.token)) {
            XCTAssertEqual($0 as? RiegelError, .sessionExpired(.revoked))
        }
        await expect(.invalidToken) { try await f.service.completePasswordReset(token: token, newPassword: "Noch-Ein-Neues-8") }
    }

    /// A damaged record (second factor on, no phone) fails closed: neither a
    /// reset nor a login goes through on the password alone.
    func testSecondFactorAccountWithoutAPhoneIsRefusedRatherThanLetThroughOnThePassword() async throws {
        let f = AccountServiceFixture()
        let (id, _) = try await f.service.register(username: "sofia", password: strong, email: nil, phone: nil, client: .init())
        var record = try XCTUnwrap(try f.accounts.account(id: id))
        _ = try f.accounts.delete(id: id)
        record.secondFactorEnabled = true
        try f.accounts.create(record)
        let begun = try await f.service.beginPasswordReset(username: "sofia", client: .init())
        let token = try XCTUnwrap(begun.token)
        await expect(.smsUnavailable) { try await f.service.completePasswordReset(token: token, newPassword: "Ganz-Neu-Und-Lang-7") }
        XCTAssertEqual(try f.resetTokens.user(forDigest: f.tokens.digest(ofToken: token), now: f.clock.now()), id,
                       "the token must stay unspent")
        await expect(.smsUnavailable) { _ = try await f.service.login(username: "sofia", password: self.strong, client: .init()) }
    }

    // MARK: activation codes

    func testActivationCodeExpiresAfterNinetyDays() async throws {
        let f = AccountServiceFixture()
        let (id, _) = try await f.service.register(username: "vera", password: strong, email: nil, phone: nil, client: .init())
        let code = try f.service.issueActivationCode(userID: id, subject: "contract:1").code
        f.clock.advance(seconds: 90 * 86_400)
        let session = try await f.service.login(username: "vera", password: strong, client: .init()).session
        XCTAssertThrowsError(try f.service.redeemActivationCode(token: session.token, code: code)) {
            guard case .invalidCode = $0 as? RiegelError else { return XCTFail("\($0)") }
        }
    }

    func testActivationCodeUsesTheUnambiguousAlphabetInGroupsOfFour() throws {
        let f = AccountServiceFixture()
        let id = UserID(rawValue: "u_x")
        try f.accounts.create(AccountRecord(id: id, username: try Username("vera"), email: nil, emailIndex: nil,
                                            passwordHash: SealedSecret(bytes: [1], keyID: KeyID(rawValue: 1)),
                                            createdAt: f.clock.now()))
        for _ in 0..<50 {
            let code = try f.service.issueActivationCode(userID: id, subject: "s").code
            XCTAssertEqual(code.count, 14)
            XCTAssertEqual(code.split(separator: "-").map(\.count), [4, 4, 4])
            XCTAssertFalse(code.contains { "01OIL".contains($0) }, code)
        }
    }

    // MARK: security rule 9

    func testNoPasswordTokenOrEmailReachesTheLog() async throws {
        let f = AccountServiceFixture()
        let (id, _) = try await f.service.register(username: "geheim", password: strong, email: "secret.person@example.org",
                                              phone: nil, client: .init())
        await expect(.invalidCredentials) {
            _ = try await f.service.login(username: "geheim", password: "Wrong-Secret-42", client: .init())
        }
        let session = try await f.service.login(username: "geheim", password: strong, client: .init()).session
        let begun = try await f.service.beginPasswordReset(username: "geheim", client: .init())
        let reset = try XCTUnwrap(begun.token)
        let code = try f.service.issueActivationCode(userID: id, subject: "s").code
        try await f.service.changePassword(token: session.token, current: strong, new: "Neues-Passwort-42")
        let lines = f.logs.lines.withLock { $0 }.joined(separator: "\n")
        XCTAssertTrue(lines.contains(id.rawValue), "the scan needs log lines to look at")
        for secret in [strong, "Wrong-Secret-42", "Neues-Passwort-42", session.token, reset, code, "secret.person"] {
            XCTAssertFalse(lines.contains(secret), "\(secret) reached the log")
        }
    }
}
