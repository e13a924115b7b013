import Dispatch
import RiegelCore
@testable import RiegelService
import RiegelTesting
import XCTest

/// Issue 11, items 2, 6 and 9 and smaller points: what a login or challenge
/// in flight may still do after the account changed, and counters under
/// concurrency. Logins are held mid-hash with `CountingHasher.hold`.
final class CredentialChangeRaceTests: XCTestCase {
    let strong = "Kl4vier-Sonate-Mond"
    let new = "Wolken-Zug-Fahrrad-42"
    let phone = "+49 151 23456789"

    /// Starts a login of `name` and returns once its password is being
    /// verified; `release()` lets the hash finish.
    func heldLogin(_ f: AccountServiceFixture, _ name: String, password: String)
        async -> (task: Task<LoginOutcome, any Error>, release: () -> Void) {
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        f.hasher.hold.withLock { $0 = (entered, release) }
        let service = f.service
        let task = Task { try await service.login(username: name, password: password, client: .init()) }
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async { entered.wait(); done.resume() }
        }
        return (task, { release.signal() })
    }

    func lastCode(_ f: AccountServiceFixture) throws -> String {
        let text = try XCTUnwrap(f.gateway.delivered.last?.text)
        return String(try XCTUnwrap(text.split { !$0.isASCII || !$0.isNumber }.first { $0.count == 6 }))
    }

    // MARK: item 6

    func testAdminLockWhileALoginIsBeingHashedGivesNoSession() async throws {
        let f = AccountServiceFixture()
        _ = try await f.service.register(username: "ziel", password: strong, email: nil, phone: nil, client: .init())
        let (login, release) = await heldLogin(f, "ziel", password: strong)
        try f.service.lock(username: "ziel", reason: "fraud", until: nil)
        release()
        do {
            _ = try await login.value
            XCTFail("a login that read the account before the lock opened a session after it")
        } catch RiegelError.accountLocked {}
        XCTAssertEqual(try f.service.summary(username: "ziel").sessions, 0)
    }

    func testPasswordChangeWhileALoginWithTheOldPasswordIsBeingHashedGivesNoSession() async throws {
        let f = AccountServiceFixture()
        _ = try await f.service.register(username: "ziel", password: strong, email: nil, phone: nil, client: .init())
        let owner = try await f.service.login(username: "ziel", password: strong, client: .init()).session
        let (login, release) = await heldLogin(f, "ziel", password: strong)
        try await f.service.changePassword(token: owner.token, current: strong, new: new)
        release()
        await expect(.invalidCredentials) { _ = try await login.value }
        XCTAssertEqual(try f.service.summary(username: "ziel").sessions, 1, "only the owner's session")
        _ = try await f.service.login(username: "ziel", password: new, client: .init()).session
    }

    /// The throttle learns of a right password in the session's transaction;
    /// a login whose session is then refused (the password changed while it
    /// was hashed) must still forget the account's failures, as a right
    /// password always did: it is written on its own after the refusal.
    func testARightPasswordRefusedForAChangeMeanwhileStillForgetsTheAccountsFailures() async throws {
        let f = AccountServiceFixture()
        _ = try await f.service.register(username: "ziel", password: strong, email: nil, phone: nil, client: .init())
        let owner = try await f.service.login(username: "ziel", password: strong, client: .init()).session
        for _ in 0..<2 {
            await expect(.invalidCredentials) {
                _ = try await f.service.login(username: "ziel", password: "Falsch-Raten-123", client: .init())
            }
        }
        XCTAssertEqual(try f.throttles.state(for: "account:ziel")?.failures.count, 2)
        let (login, release) = await heldLogin(f, "ziel", password: strong)
        XCTAssertEqual(try f.throttles.state(for: "account:ziel")?.failures.count, 3, "the login in flight is reserved")
        try await f.service.changePassword(token: owner.token, current: strong, new: new)
        release()
        await expect(.invalidCredentials) { _ = try await login.value }
        XCTAssertEqual(try f.throttles.state(for: "account:ziel")?.failures, [])
    }

    /// The rehash of a login in flight must not write the old password back
    /// over a new one set meanwhile.
    func testRehashOfALoginInFlightDoesNotUndoAPasswordReset() async throws {
        let f = AccountServiceFixture(cost: 2)
        _ = try await f.service.register(username: "ziel", password: strong, email: nil, phone: nil, client: .init())
        let begun = try await f.service.beginPasswordReset(username: "ziel", client: .init())
        let token = try XCTUnwrap(begun.token)
        // A hasher with other parameters: the stored hash needs a rehash at login.
        let g = AccountServiceFixture(cost: 3)
        let record = try XCTUnwrap(try f.accounts.account(usernameKey: "ziel"))
        try g.accounts.create(record)
        try g.resetTokens.create(digest: g.tokens.digest(ofToken: token), userID: record.id, createdAt: g.clock.now(),
                                 expiresAt: g.clock.now().adding(seconds: 600))
        let (login, release) = await heldLogin(g, "ziel", password: strong)
        _ = try await g.service.completePasswordReset(token: token, newPassword: new)
        release()
        await expect(.invalidCredentials) { _ = try await login.value }
        await expect(.invalidCredentials) { _ = try await g.service.login(username: "ziel", password: self.strong, client: .init()) }
        _ = try await g.service.login(username: "ziel", password: new, client: .init()).session
    }

    // MARK: item 9

    func enrolled(_ f: AccountServiceFixture) async throws {
        let (_, challenge) = try await f.service.register(username: "ziel", password: strong, email: nil, phone: phone,
                                                          client: .init())
        _ = try await f.service.verifyChallenge(id: try XCTUnwrap(challenge).id.rawValue, code: try lastCode(f),
                                                rememberDevice: false, deviceLabel: nil, client: .init())
    }

    func testPasswordResetEndsALoginChallengeBegunWithTheOldPassword() async throws {
        let f = AccountServiceFixture()
        try await enrolled(f)
        let stale = try await f.service.login(username: "ziel", password: strong, client: .init()).challenge
        let staleCode = try lastCode(f)
        let begun = try await f.service.beginPasswordReset(username: "ziel", client: .init())
        let token = try XCTUnwrap(begun.token)
        let completed = try await f.service.completePasswordReset(token: token, newPassword: new)
        let reset = try XCTUnwrap(completed)
        _ = try await f.service.verifyChallenge(id: reset.id.rawValue, code: try lastCode(f), rememberDevice: false,
                                                deviceLabel: nil, client: .init())
        await expect(.challengeExpired) {
            _ = try await f.service.verifyChallenge(id: stale.id.rawValue, code: staleCode, rememberDevice: false,
                                                    deviceLabel: nil, client: .init())
        }
    }

    func testAdminLockAndUnlockEndALoginChallengeBegunBefore() async throws {
        let f = AccountServiceFixture()
        try await enrolled(f)
        let stale = try await f.service.login(username: "ziel", password: strong, client: .init()).challenge
        let staleCode = try lastCode(f)
        try f.service.lock(username: "ziel", reason: "fraud", until: nil)
        try f.service.unlock(username: "ziel")
        await expect(.challengeExpired) {
            _ = try await f.service.verifyChallenge(id: stale.id.rawValue, code: staleCode, rememberDevice: false,
                                                    deviceLabel: nil, client: .init())
        }
    }

    /// Even a challenge that escaped `endPending` (started by a login whose
    /// hash ran across the reset) is refused by its credential generation.
    func testChallengeStartedByALoginThatRanAcrossAPasswordChangeIsRefused() async throws {
        let f = AccountServiceFixture()
        try await enrolled(f)
        let c = try await f.service.login(username: "ziel", password: strong, client: .init()).challenge
        let verified = try await f.service.verifyChallenge(id: c.id.rawValue, code: try lastCode(f),
                                                           rememberDevice: false, deviceLabel: nil, client: .init())
        let owner = try XCTUnwrap(verified.session)
        let (login, release) = await heldLogin(f, "ziel", password: strong)
        try await f.service.changePassword(token: owner.token, current: strong, new: new)
        release()
        let stale = try await login.value.challenge  // started after the change, with the old generation
        await expect(.challengeExpired) {
            _ = try await f.service.verifyChallenge(id: stale.id.rawValue, code: try self.lastCode(f),
                                                    rememberDevice: false, deviceLabel: nil, client: .init())
        }
    }

    // MARK: smaller points

    func testChangePasswordEndsOutstandingResetTokens() async throws {
        let f = AccountServiceFixture()
        _ = try await f.service.register(username: "ziel", password: strong, email: nil, phone: nil, client: .init())
        let begun = try await f.service.beginPasswordReset(username: "ziel", client: .init())
        let token = try XCTUnwrap(begun.token)
        let session = try await f.service.login(username: "ziel", password: strong, client: .init()).session
        try await f.service.changePassword(token: session.token, current: strong, new: new)
        await expect(.invalidToken) {
            _ = try await f.service.completePasswordReset(token: token, newPassword: "Dieb-Hat-Es-Jetzt-99")
        }
    }

    func testTurningOnTheSecondFactorEndsSessionsOpenedWithThePasswordAlone() async throws {
        let f = AccountServiceFixture()
        let (_, challenge) = try await f.service.register(username: "ziel", password: strong, email: nil, phone: phone,
                                                          client: .init())
        let thief = try await f.service.login(username: "ziel", password: strong, client: .init()).session
        _ = try await f.service.verifyChallenge(id: try XCTUnwrap(challenge).id.rawValue, code: try lastCode(f),
                                                rememberDevice: false, deviceLabel: nil, client: .init())
        XCTAssertThrowsError(try f.sessions.check(token: thief.token)) {
            XCTAssertEqual($0 as? RiegelError, .sessionExpired(.revoked))
        }
    }

    // MARK: item 2

    /// Thirty wrong re-checks of the password at once (a stolen session
    /// testing guesses through DeleteAccount): every checked one is counted,
    /// and once five are counted the rest are refused before their hash.
    func testConcurrentWrongPasswordReChecksAreEachCountedAndTheDelayRefusesTheRest() async throws {
        let f = AccountServiceFixture()
        _ = try await f.service.register(username: "ziel", password: strong, email: nil, phone: nil, client: .init())
        let session = try await f.service.login(username: "ziel", password: strong, client: .init()).session
        let service = f.service
        let outcomes = await withTaskGroup(of: String.self) { group in
            for _ in 0..<30 {
                group.addTask {
                    do {
                        try await service.deleteAccount(token: session.token, password: "Falsch-Geraten-0815")
                        return "deleted"
                    } catch let error as RiegelError {
                        return "\(error)"
                    } catch {
                        return "other"
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let checked = outcomes.filter { $0 == "\(RiegelError.invalidCredentials)" }.count
        XCTAssertLessThanOrEqual(checked, 5, "the 5th counted failure delays the rest before their hash: \(outcomes)")
        let state = try XCTUnwrap(try f.throttles.state(for: "account:ziel"))
        XCTAssertEqual(state.failures.count, checked, "every checked guess is counted")
    }
}
