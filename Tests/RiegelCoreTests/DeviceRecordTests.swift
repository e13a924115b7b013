import RiegelCore
import RiegelTesting
import XCTest

/// Issue 6 on the device state machine: rotation, replay, expiry, cap, labels.
final class DeviceRecordTests: XCTestCase {
    private let clock = ManualClock()
    private let random = SeededRandom()
    private let user = UserID(rawValue: "u_anna")
    private let policy = DevicePolicy()

    private func digest(_ n: UInt8) -> [UInt8] { Array(repeating: n, count: 32) }

    private func browser(createdAfter seconds: Double = 0) -> DeviceRecord {
        DeviceRecord.trustBrowser(id: DeviceID.random(using: random), userID: user, label: try! DeviceLabel("Firefox"),
                                  tokenDigest: digest(1), policy: policy, now: clock.now().adding(seconds: seconds))
    }

    func testNewDeviceIDsAreRandomPrefixedAndWellFormed() {
        let a = DeviceID.random(using: random), b = DeviceID.random(using: random)
        XCTAssertNotEqual(a, b)
        XCTAssertTrue(a.rawValue.hasPrefix("d_") && a.rawValue.count == 34, a.rawValue)
        XCTAssertTrue(a.isWellFormed)
        for bad in ["", "d_", "s_" + String(a.rawValue.dropFirst(2)), a.rawValue.uppercased(), a.rawValue + "0",
                    "d_" + String(repeating: "g", count: 32)] {
            XCTAssertFalse(DeviceID(rawValue: bad).isWellFormed, bad)
        }
    }

    func testBrowserIsTrustedForTheLifetimeFromTrustNotFromUse() {
        var device = browser()
        XCTAssertEqual(device.expiresAt, clock.now().adding(seconds: 90 * 86_400))
        clock.advance(seconds: 80 * 86_400)
        XCTAssertEqual(device.presentToken(digest: digest(1), by: user, successorDigest: digest(2), policy: policy,
                                           now: clock.now()), .rotated)
        XCTAssertEqual(device.expiresAt, device.createdAt.adding(seconds: 90 * 86_400), "use must not extend a browser")
        clock.advance(seconds: 10 * 86_400)
        XCTAssertEqual(device.state(at: clock.now()), .expired)
    }

    func testPresentingTheCurrentTokenRotatesIt() {
        var device = browser()
        clock.advance(seconds: 60)
        XCTAssertEqual(device.presentToken(digest: digest(1), by: user, successorDigest: digest(2), policy: policy,
                                           now: clock.now()), .rotated)
        XCTAssertEqual(device.tokenDigest, digest(2))
        XCTAssertEqual(device.previousTokenDigests, [digest(1)])
        XCTAssertEqual(device.lastUsedAt, clock.now())
        XCTAssertEqual(device.presentToken(digest: digest(2), by: user, successorDigest: digest(3), policy: policy,
                                           now: clock.now()), .rotated, "the successor works once in turn")
        XCTAssertEqual(device.previousTokenDigests, [digest(2), digest(1)], "newest first")
    }

    func testPresentingARotatedTokenRevokesTheDevice() {
        var device = browser()
        _ = device.presentToken(digest: digest(1), by: user, successorDigest: digest(2), policy: policy, now: clock.now())
        clock.advance(seconds: 5)
        XCTAssertEqual(device.presentToken(digest: digest(1), by: user, successorDigest: digest(3), policy: policy,
                                           now: clock.now()), .replayed)
        XCTAssertEqual(device.state(at: clock.now()), .revoked)
        XCTAssertEqual(device.revokeReason, "token_replay")
        XCTAssertEqual(device.revokedAt, clock.now())
        XCTAssertEqual(device.presentToken(digest: digest(2), by: user, successorDigest: digest(4), policy: policy,
                                           now: clock.now()), .revoked, "after a replay the current token is dead too")
    }

    func testAnotherUsersTokenChangesNothing() {
        let original = browser()
        var device = original
        XCTAssertEqual(device.presentToken(digest: digest(1), by: UserID(rawValue: "u_bob"), successorDigest: digest(2),
                                           policy: policy, now: clock.now()), .otherUser)
        XCTAssertEqual(device, original)
        _ = device.presentToken(digest: digest(1), by: user, successorDigest: digest(2), policy: policy, now: clock.now())
        let rotated = device
        XCTAssertEqual(device.presentToken(digest: digest(1), by: UserID(rawValue: "u_bob"), successorDigest: digest(3),
                                           policy: policy, now: clock.now()), .otherUser,
                       "another user replaying a rotated token must not revoke the device")
        XCTAssertEqual(device, rotated)
    }

    func testExpiredRevokedAndUnknownPresentationsChangeNothing() {
        var device = browser()
        let fresh = device
        XCTAssertEqual(device.presentToken(digest: digest(9), by: user, successorDigest: digest(2), policy: policy,
                                           now: clock.now()), .unknown)
        XCTAssertEqual(device, fresh)
        let later = clock.now().adding(seconds: policy.browserLifetime)
        XCTAssertEqual(device.presentToken(digest: digest(1), by: user, successorDigest: digest(2), policy: policy,
                                           now: later), .expired, "expiry is at the lifetime exactly")
        XCTAssertEqual(device, fresh)
        device.revoke(reason: "user", at: clock.now())
        let revoked = device
        XCTAssertEqual(device.presentToken(digest: digest(1), by: user, successorDigest: digest(2), policy: policy,
                                           now: clock.now()), .revoked)
        XCTAssertEqual(device, revoked)
        XCTAssertFalse(device.revoke(reason: "admin", at: clock.now().adding(seconds: 1)), "revoking twice does nothing")
        XCTAssertEqual(device, revoked)
    }

    func testPreviousDigestsAreBoundedAndOlderOnesAreMerelyUnknown() {
        let small = DevicePolicy(retainedPreviousTokens: 3)
        var device = browser()
        for n in UInt8(1)...6 {
            XCTAssertEqual(device.presentToken(digest: digest(n), by: user, successorDigest: digest(n + 1), policy: small,
                                               now: clock.now()), .rotated)
        }
        XCTAssertEqual(device.previousTokenDigests, [digest(6), digest(5), digest(4)])
        XCTAssertEqual(device.presentToken(digest: digest(2), by: user, successorDigest: digest(20), policy: small,
                                           now: clock.now()), .unknown)
        XCTAssertEqual(device.state(at: clock.now()), .active)
        XCTAssertEqual(device.presentToken(digest: digest(4), by: user, successorDigest: digest(21), policy: small,
                                           now: clock.now()), .replayed)
    }

    func testAppKeyExpirySlidesWithEachUse() {
        var key = DeviceRecord.enrolKey(id: DeviceID.random(using: random), userID: user, label: try! DeviceLabel("Phone"),
                                        publicKey: FakeSignatureVerifier.publicKey(seed: 1), policy: policy,
                                        now: clock.now())
        XCTAssertEqual(key.expiresAt, clock.now().adding(seconds: 180 * 86_400))
        XCTAssertEqual(key.presentToken(digest: digest(1), by: user, successorDigest: digest(2), policy: policy,
                                        now: clock.now()), .unknown, "an app key has no token")
        clock.advance(seconds: 100 * 86_400)
        key.recordKeyUse(policy: policy, now: clock.now())
        XCTAssertEqual(key.lastUsedAt, clock.now())
        XCTAssertEqual(key.expiresAt, clock.now().adding(seconds: 180 * 86_400))
        clock.advance(seconds: 180 * 86_400)
        XCTAssertEqual(key.state(at: clock.now()), .expired)
        let expired = key
        key.recordKeyUse(policy: policy, now: clock.now())
        XCTAssertEqual(key, expired, "an expired key does not come back by use")
    }

    func testCapEvictsTheOldestActiveDevicesToMakeRoomForOne() {
        let small = DevicePolicy(maxPerUser: 3)
        var devices = (0..<4).map { browser(createdAfter: Double(10 - $0)) }  // newest first
        devices[1].revoke(reason: "user", at: clock.now())
        XCTAssertEqual(small.evictions(among: devices, now: clock.now().adding(seconds: 20)).map(\.id), [devices[3].id],
                       "three active, room for one more: the oldest active goes")
        XCTAssertEqual(DevicePolicy(maxPerUser: 1).evictions(among: devices, now: clock.now().adding(seconds: 20)).count, 3)
        XCTAssertEqual(small.evictions(among: Array(devices.prefix(2)), now: clock.now()).count, 0)
        let expiredOnly = small.evictions(among: devices, now: clock.now().adding(seconds: policy.browserLifetime + 20))
        XCTAssertEqual(expiredOnly.count, 0, "expired devices do not count against the cap")
    }

    func testLabelsAreTrimmedAndBoundedWithoutControlOrFormatCharacters() throws {
        XCTAssertEqual(try DeviceLabel("  Anna's phone 📱 ").value, "Anna's phone 📱")
        XCTAssertEqual(try DeviceLabel("Familie 👨‍👩‍👧").value, "Familie 👨‍👩‍👧", "emoji joiners are fine")
        XCTAssertEqual(try DeviceLabel(String(repeating: "ä", count: 64)).value.count, 64)
        XCTAssertThrowsError(try DeviceLabel(" \t ")) { XCTAssertEqual($0 as? DeviceLabelError, .empty) }
        XCTAssertThrowsError(try DeviceLabel(String(repeating: "a", count: 65))) {
            XCTAssertEqual($0 as? DeviceLabelError, .tooLong)
        }
        for bad: Unicode.Scalar in ["\u{0}", "\n", "\u{1B}", "\u{7F}", "\u{202E}", "\u{200B}", "\u{2028}", "\u{E000}"] {
            XCTAssertThrowsError(try DeviceLabel("Laptop\(bad)x")) { error in
                XCTAssertEqual(error as? DeviceLabelError, .invalidCharacter(bad))
                XCTAssertFalse((error as! DeviceLabelError).message.unicodeScalars.contains(bad),
                               "the message names the code point, not the character")
            }
        }
    }

    func testLabelDerivedFromTheUserAgentIsCleanedAndCut() {
        XCTAssertEqual(DeviceLabel.derived(fromUserAgent: nil).value, "Browser")
        XCTAssertEqual(DeviceLabel.derived(fromUserAgent: "\u{202E}\n ").value, "Browser")
        XCTAssertEqual(DeviceLabel.derived(fromUserAgent: "Mozilla/5.0\u{0} (X11)").value, "Mozilla/5.0 (X11)")
        XCTAssertEqual(DeviceLabel.derived(fromUserAgent: String(repeating: "x", count: 300)).value.count, 64)
    }

    func testBase64AcceptsBothAlphabetsAndPaddingButNothingElse() {
        XCTAssertEqual(Base64Text.decode("+/8="), [0xFB, 0xFF])
        XCTAssertEqual(Base64Text.decode("-_8"), [0xFB, 0xFF])
        XCTAssertEqual(Base64Text.decode(""), [])
        XCTAssertEqual(Base64Text.decode("aGk="), Array("hi".utf8))
        for bad in ["+_8", "a", "aGk==", "aG k", "aGl=", "aGk===", "=", "aGk=\n"] {
            XCTAssertNil(Base64Text.decode(bad), bad)
        }
        XCTAssertEqual(Base64Text.decode("aGk"), Array("hi".utf8), "unpadded is fine")
    }
}
