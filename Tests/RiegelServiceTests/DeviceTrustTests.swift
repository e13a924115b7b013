import RiegelCore
@testable import RiegelService
import RiegelTesting
import XCTest

/// Issue 6, browsers: trust after the SMS, rotation on every use, replay
/// revokes, other users' or dead tokens are just a new device, cap, revokeAll.
final class DeviceTrustTests: XCTestCase {
    private let client = ClientContext(ip: "192.0.2.9", userAgent: "Firefox/140")

    private func trusted(_ deviceID: DeviceID, _ redemption: DeviceRedemption,
                         file: StaticString = #filePath, line: UInt = #line) -> String? {
        guard case .trusted(let id, let next) = redemption else {
            XCTFail("expected trusted, got \(redemption)", file: file, line: line)
            return nil
        }
        XCTAssertEqual(id, deviceID, file: file, line: line)
        return next
    }

    func testTrustMakesADeviceWhoseTokenIsStoredOnlyAsDigestAndAudited() throws {
        let f = DeviceServiceFixture()
        let anna = try f.account("anna")
        let (id, token) = try f.service.trust(userID: anna.id, label: "Firefox at home", client: client)
        let stored = try XCTUnwrap(f.store.device(id: id))
        XCTAssertEqual(stored.kind, .browser)
        XCTAssertEqual(stored.label, "Firefox at home")
        XCTAssertEqual(stored.tokenDigest, f.base.tokens.digest(ofToken: token))
        XCTAssertEqual(stored.expiresAt, f.clock.now().adding(seconds: 90 * 86_400))
        let event = try XCTUnwrap(f.events("device.trusted").first)
        XCTAssertEqual(event.userID, anna.id)
        XCTAssertEqual(event.details["device_id"], id.rawValue)
        XCTAssertEqual(event.clientIP, "192.0.2.9")
    }

    func testTrustWithoutALabelNamesTheDeviceAfterItsUserAgent() throws {
        let f = DeviceServiceFixture()
        let anna = try f.account("anna")
        let (id, _) = try f.service.trust(userID: anna.id, label: nil, client: client)
        XCTAssertEqual(try f.store.device(id: id)?.label, "Firefox/140")
    }

    func testEachUseRotatesTheTokenAndThePresentedOneStopsWorking() throws {
        let f = DeviceServiceFixture()
        let anna = try f.account("anna")
        let (id, first) = try f.service.trust(userID: anna.id, label: nil, client: client)
        f.clock.advance(seconds: 3600)
        let second = try XCTUnwrap(trusted(id, try f.service.redeem(token: first, for: anna.id, client: client)))
        XCTAssertNotEqual(second, first)
        XCTAssertEqual(try f.store.device(id: id)?.lastUsedAt, f.clock.now())
        let third = try XCTUnwrap(trusted(id, try f.service.redeem(token: second, for: anna.id, client: client)))
        XCTAssertNotEqual(third, second)
        XCTAssertEqual(try f.events("device.used").map(\.reason), ["token_rotated", "token_rotated"])
        XCTAssertEqual(try f.service.redeem(token: second, for: anna.id, client: client), .notTrusted,
                       "a rotated token no longer works")
    }

    func testReplayedRotatedTokenRevokesTheDeviceEndsItsSessionsAndIsAudited() throws {
        let f = DeviceServiceFixture()
        let anna = try f.account("anna")
        let (id, stolen) = try f.service.trust(userID: anna.id, label: nil, client: client)
        let fromSMS = try f.session(anna, deviceID: id)
        let unrelated = try f.session(anna)
        let next = try XCTUnwrap(trusted(id, try f.service.redeem(token: stolen, for: anna.id, client: client)))
        let fromDevice = try f.session(anna, deviceID: id)

        XCTAssertEqual(try f.service.redeem(token: stolen, for: anna.id, client: client), .notTrusted)

        XCTAssertEqual(try f.store.device(id: id)?.revokeReason, "token_replay")
        XCTAssertEqual(try f.service.redeem(token: next, for: anna.id, client: client), .notTrusted,
                       "the thief's or the user's successor token is dead too")
        for s in [fromSMS, fromDevice] {
            XCTAssertThrowsError(try f.sessions.check(token: s.token)) {
                XCTAssertEqual($0 as? RiegelError, .sessionExpired(.revoked))
            }
        }
        XCTAssertNoThrow(try f.sessions.check(token: unrelated.token), "sessions not from the device stay")
        XCTAssertEqual(try f.events("device.token_replayed").map(\.details["device_id"]), [id.rawValue])
        let revoked = try XCTUnwrap(f.events("device.revoked").first)
        XCTAssertEqual(revoked.reason, "token_replay")
        XCTAssertEqual(revoked.details["sessions_ended"], "2")
    }

    func testAnotherUsersTokenIsANewDeviceAndChangesNothing() throws {
        let f = DeviceServiceFixture()
        let anna = try f.account("anna"), bob = try f.account("bob")
        let (id, token) = try f.service.trust(userID: anna.id, label: nil, client: client)
        let before = try f.store.device(id: id)
        XCTAssertEqual(try f.service.redeem(token: token, for: bob.id, client: client), .notTrusted)
        XCTAssertEqual(try f.store.device(id: id), before)
        XCTAssertEqual(try f.events("device.rejected").last?.reason, "other_user")
        XCTAssertNotNil(trusted(id, try f.service.redeem(token: token, for: anna.id, client: client)),
                        "the owner's token still works")
    }

    func testExpiredDeviceTokenIsANewDevice() throws {
        let f = DeviceServiceFixture(policy: DevicePolicy(browserLifetime: 3600))
        let anna = try f.account("anna")
        let (id, token) = try f.service.trust(userID: anna.id, label: nil, client: client)
        f.clock.advance(seconds: 3599)
        let next = try XCTUnwrap(trusted(id, try f.service.redeem(token: token, for: anna.id, client: client)))
        f.clock.advance(seconds: 1)
        XCTAssertEqual(try f.service.redeem(token: next, for: anna.id, client: client), .notTrusted)
        XCTAssertEqual(try f.events("device.rejected").last?.reason, "expired")
        XCTAssertNil(try f.store.device(id: id)?.revokedAt, "expiry is not a revocation")
    }

    func testRevokedUnknownOrForgedTokenIsANewDevice() throws {
        let f = DeviceServiceFixture()
        let anna = try f.account("anna")
        let (id, token) = try f.service.trust(userID: anna.id, label: nil, client: client)
        XCTAssertEqual(try f.service.redeem(token: "tok-forged", for: anna.id, client: client), .notTrusted)
        XCTAssertEqual(try f.service.redeem(token: "", for: anna.id, client: client), .notTrusted)
        try f.service.revoke(token: try f.session(anna).token, deviceID: id)
        XCTAssertEqual(try f.service.redeem(token: token, for: anna.id, client: client), .notTrusted)
        XCTAssertEqual(try f.events("device.rejected").map(\.reason), ["unknown_token", "unknown_token", "revoked"])
    }

    func testTrustingMoreThanTheCapRevokesTheOldestAndAuditsIt() throws {
        let f = DeviceServiceFixture(policy: DevicePolicy(maxPerUser: 3))
        let anna = try f.account("anna")
        var ids: [DeviceID] = []
        for _ in 0..<3 {
            ids.append(try f.service.trust(userID: anna.id, label: nil, client: client).deviceID)
            f.clock.advance(seconds: 1)
        }
        let (fourth, _) = try f.service.trust(userID: anna.id, label: nil, client: client)
        XCTAssertEqual(try f.store.devices(of: anna.id).map(\.id), [ids[1], ids[2], fourth])
        XCTAssertEqual(try f.store.device(id: ids[0])?.revokeReason, "device_cap")
        XCTAssertEqual(try f.events("device.revoked").map(\.details["device_id"]), [ids[0].rawValue])
        XCTAssertEqual(try f.events("device.revoked").first?.reason, "device_cap")
    }

    func testTheCapCountsAppKeysTooAndOtherUsersNot() throws {
        let f = DeviceServiceFixture(policy: DevicePolicy(maxPerUser: 2))
        let anna = try f.account("anna"), bob = try f.account("bob")
        let (key, _) = try f.enrolKey(anna)
        f.clock.advance(seconds: 1)
        _ = try f.service.trust(userID: bob.id, label: nil, client: client)
        _ = try f.service.trust(userID: anna.id, label: nil, client: client)
        f.clock.advance(seconds: 1)
        _ = try f.service.trust(userID: anna.id, label: nil, client: client)
        XCTAssertEqual(try f.store.device(id: key)?.revokeReason, "device_cap")
        XCTAssertEqual(try f.service.liveCount(of: anna.id), 2)
        XCTAssertEqual(try f.service.liveCount(of: bob.id), 1)
    }

    func testRevokeAllRevokesBrowsersAndKeysAndEndsOnlyTheirSessions() throws {
        let f = DeviceServiceFixture()
        let anna = try f.account("anna"), bob = try f.account("bob")
        let (browser, token) = try f.service.trust(userID: anna.id, label: nil, client: client)
        let (key, _) = try f.enrolKey(anna)
        let (bobs, _) = try f.service.trust(userID: bob.id, label: nil, client: client)
        let viaBrowser = try f.session(anna, deviceID: browser)
        let viaKey = try f.session(anna, deviceID: key)
        let plain = try f.session(anna)
        let bobSession = try f.session(bob, deviceID: bobs)

        XCTAssertEqual(try f.service.revokeAll(of: anna.id, reason: "password_reset"), 2)

        XCTAssertEqual(try f.store.devices(of: anna.id), [])
        XCTAssertEqual(try f.store.device(id: key)?.revokeReason, "password_reset")
        for s in [viaBrowser, viaKey] {
            XCTAssertThrowsError(try f.sessions.check(token: s.token))
        }
        XCTAssertNoThrow(try f.sessions.check(token: plain.token), "the caller ends other sessions itself if it wants")
        XCTAssertNoThrow(try f.sessions.check(token: bobSession.token))
        XCTAssertEqual(try f.service.redeem(token: token, for: anna.id, client: client), .notTrusted)
        XCTAssertEqual(Set(try f.events("device.revoked").map(\.details["device_id"])), [browser.rawValue, key.rawValue])
        XCTAssertEqual(try f.service.revokeAll(of: anna.id, reason: "again"), 0)
    }

    func testAdminRevokeDevicesFindsTheAccountByAnyCase() throws {
        let f = DeviceServiceFixture()
        let anna = try f.account("anna")
        _ = try f.service.trust(userID: anna.id, label: nil, client: client)
        XCTAssertEqual(try f.service.revokeAll(username: "ANNA"), 1)
        XCTAssertEqual(try f.events("device.revoked").first?.reason, "admin")
        XCTAssertThrowsError(try f.service.revokeAll(username: "nobody")) {
            XCTAssertEqual($0 as? RiegelError, .noSuchAccount)
        }
    }

    func testBadLabelIsATypedErrorAndTrustsNothing() throws {
        let f = DeviceServiceFixture()
        let anna = try f.account("anna")
        for bad in ["", "Laptop\u{202E}", String(repeating: "x", count: 65)] {
            XCTAssertThrowsError(try f.service.trust(userID: anna.id, label: bad, client: client)) { error in
                guard case RiegelError.invalidDeviceLabel(let reason) = error else { return XCTFail("\(error)") }
                XCTAssertFalse(reason.isEmpty)
            }
            XCTAssertThrowsError(try DeviceService.validateLabel(bad))
        }
        XCTAssertNoThrow(try DeviceService.validateLabel(nil))
        XCTAssertEqual(try f.store.devices(of: anna.id), [])
        XCTAssertEqual(try f.events("device.trusted"), [])
    }

    func testNoDeviceTokenReachesTheAuditTrailOrTheLog() throws {
        let f = DeviceServiceFixture()
        let anna = try f.account("anna")
        let (_, token) = try f.service.trust(userID: anna.id, label: nil, client: client)
        let next = try XCTUnwrap({ () -> String? in
            if case .trusted(_, let n) = try f.service.redeem(token: token, for: anna.id, client: client) { return n }
            return nil
        }())
        _ = try f.service.redeem(token: token, for: anna.id, client: client)
        let trail = try f.allEvents().map { "\($0)" }.joined(separator: "\n")
        let logs = f.base.logs.lines.withLock { $0.joined(separator: "\n") }
        XCTAssertTrue(token.hasPrefix("tok-") && next.hasPrefix("tok-"))
        XCTAssertFalse(trail.contains("tok-"), "audit trail holds a token")
        XCTAssertFalse(logs.contains("tok-"), "log holds a token")
        XCTAssertFalse(try f.allEvents().isEmpty)
    }
}
