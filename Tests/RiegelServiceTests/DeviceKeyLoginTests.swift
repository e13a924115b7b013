import RiegelCore
@testable import RiegelService
import RiegelTesting
import XCTest

/// Issue 6, app keys: enrolment needs a fresh second factor; a nonce works
/// once for 2 minutes; a wrong signature is InvalidSignature and throttled;
/// a right one gives a second_factor session by device_key.
final class DeviceKeyLoginTests: XCTestCase {
    private let client = ClientContext(ip: "192.0.2.7", userAgent: "AnnaApp/3")

    // MARK: enrolment

    func testEnrolmentStoresTheKeyAndIsAudited() throws {
        let f = DeviceServiceFixture()
        let anna = try f.account("anna")
        let (id, key) = try f.enrolKey(anna, label: "Anna's phone")
        let stored = try XCTUnwrap(f.store.device(id: id))
        XCTAssertEqual(stored.kind, .appKey)
        XCTAssertEqual(stored.publicKey, key)
        XCTAssertNil(stored.tokenDigest)
        XCTAssertEqual(stored.expiresAt, f.clock.now().adding(seconds: 180 * 86_400))
        XCTAssertEqual(try f.events("device.key_enrolled").map(\.details["device_id"]), [id.rawValue])
    }

    func testEnrolmentNeedsASecondFactorSession() throws {
        let f = DeviceServiceFixture()
        let anna = try f.account("anna")
        let key = DeviceServiceFixture.base64(FakeSignatureVerifier.publicKey(seed: 1))
        let passwordOnly = try f.session(anna, assurance: .password)
        XCTAssertThrowsError(try f.service.enrollKey(token: passwordOnly.token, publicKey: key, label: "Phone")) {
            XCTAssertEqual($0 as? RiegelError, .stepUpRequired)
        }
        let elevated = try f.session(anna)
        f.clock.advance(seconds: 600)
        XCTAssertThrowsError(try f.service.enrollKey(token: elevated.token, publicKey: key, label: "Phone")) {
            XCTAssertEqual($0 as? RiegelError, .stepUpRequired, "a second factor older than 10 minutes must be renewed")
        }
        let bob = try f.account("bob", secondFactor: false)
        XCTAssertThrowsError(try f.service.enrollKey(token: try f.session(bob, assurance: .password).token,
                                                     publicKey: key, label: "Phone")) {
            XCTAssertEqual($0 as? RiegelError, .secondFactorNotEnrolled)
        }
        XCTAssertThrowsError(try f.service.enrollKey(token: "tok-nothing", publicKey: key, label: "Phone")) {
            XCTAssertEqual($0 as? RiegelError, .invalidToken)
        }
        XCTAssertEqual(try f.store.devices(of: anna.id) + f.store.devices(of: bob.id), [])
        XCTAssertEqual(try f.events("device.key_enrolled"), [])
    }

    func testMalformedKeyOrLabelIsATypedErrorAndChangesNothing() throws {
        let f = DeviceServiceFixture()
        let anna = try f.account("anna")
        let token = try f.session(anna).token
        let good = DeviceServiceFixture.base64(FakeSignatureVerifier.publicKey(seed: 1))
        for (key, label) in [("not base64!", "Phone"), (DeviceServiceFixture.base64(ForeignPublicKeys.p384), "Phone"),
                             (DeviceServiceFixture.base64([1, 2, 3]), "Phone"), ("", "Phone")] {
            XCTAssertThrowsError(try f.service.enrollKey(token: token, publicKey: key, label: label)) { error in
                guard case RiegelError.invalidPublicKey(let reason) = error else { return XCTFail("\(error)") }
                XCTAssertFalse(reason.isEmpty)
            }
        }
        for label in ["", "\u{1B}[31mPhone", String(repeating: "p", count: 65)] {
            XCTAssertThrowsError(try f.service.enrollKey(token: token, publicKey: good, label: label)) { error in
                guard case RiegelError.invalidDeviceLabel = error else { return XCTFail("\(error)") }
            }
        }
        XCTAssertEqual(try f.store.devices(of: anna.id), [])
        XCTAssertEqual(try f.events("device.key_enrolled"), [])
    }

    // MARK: nonces

    func testNoncesAreFreshPerCallAndExpireInTwoMinutes() throws {
        let f = DeviceServiceFixture()
        let (id, _) = try f.enrolKey(try f.account("anna"))
        let (nonce, expiresAt) = try f.service.beginDeviceLogin(deviceID: id)
        let (other, _) = try f.service.beginDeviceLogin(deviceID: id)
        XCTAssertNotEqual(nonce, other)
        XCTAssertEqual(expiresAt, f.clock.now().adding(seconds: 120))
        XCTAssertEqual(f.nonces.count, 2)
    }

    func testNonceWorksOnce() throws {
        let f = DeviceServiceFixture()
        let anna = try f.account("anna")
        let (id, key) = try f.enrolKey(anna)
        let (nonce, _) = try f.service.beginDeviceLogin(deviceID: id)
        let signature = f.signature(nonce, key)
        _ = try f.service.finishDeviceLogin(deviceID: id, nonce: nonce, signature: signature, client: client)
        XCTAssertThrowsError(try f.service.finishDeviceLogin(deviceID: id, nonce: nonce, signature: signature,
                                                             client: client)) {
            XCTAssertEqual($0 as? RiegelError, .challengeExpired)
        }
    }

    func testNonceExpiresAfterItsLifetime() throws {
        let f = DeviceServiceFixture()
        let anna = try f.account("anna")
        let (id, key) = try f.enrolKey(anna)
        let (late, _) = try f.service.beginDeviceLogin(deviceID: id)
        f.clock.advance(seconds: 119)
        let (inTime, _) = try f.service.beginDeviceLogin(deviceID: id)
        f.clock.advance(seconds: 1)
        XCTAssertThrowsError(try f.service.finishDeviceLogin(deviceID: id, nonce: late, signature: f.signature(late, key),
                                                             client: client)) {
            XCTAssertEqual($0 as? RiegelError, .challengeExpired)
        }
        XCTAssertNoThrow(try f.service.finishDeviceLogin(deviceID: id, nonce: inTime, signature: f.signature(inTime, key),
                                                         client: client))
        XCTAssertEqual(try f.events("device_login.failed").map(\.reason), ["nonce_expired"])
    }

    func testNonceIsBoundToTheDeviceItWasIssuedFor() throws {
        let f = DeviceServiceFixture()
        let anna = try f.account("anna")
        let (first, _) = try f.enrolKey(anna, seed: 1)
        let (second, secondKey) = try f.enrolKey(anna, seed: 2)
        let (nonce, _) = try f.service.beginDeviceLogin(deviceID: first)
        XCTAssertThrowsError(try f.service.finishDeviceLogin(deviceID: second, nonce: nonce,
                                                             signature: f.signature(nonce, secondKey), client: client)) {
            XCTAssertEqual($0 as? RiegelError, .challengeExpired)
        }
    }

    // MARK: login

    func testValidSignatureGivesASecondFactorSessionByDeviceKeyLinkedToTheDevice() throws {
        let f = DeviceServiceFixture()
        let anna = try f.account("anna")
        let (id, key) = try f.enrolKey(anna)
        f.clock.advance(seconds: 30 * 86_400)
        let (nonce, _) = try f.service.beginDeviceLogin(deviceID: id)
        let session = try f.service.finishDeviceLogin(deviceID: id, nonce: nonce, signature: f.signature(nonce, key),
                                                      client: client)
        XCTAssertEqual(session.info.assurance, .secondFactor)
        XCTAssertEqual(session.info.secondFactorAt, f.clock.now())
        XCTAssertEqual(session.info.userID, anna.id)
        let record = try XCTUnwrap(InMemorySessionStore(data: f.base.data).session(id: session.info.sessionID))
        XCTAssertEqual(record.method, .deviceKey)
        XCTAssertEqual(record.deviceID, id)
        let device = try XCTUnwrap(f.store.device(id: id))
        XCTAssertEqual(device.lastUsedAt, f.clock.now())
        XCTAssertEqual(device.expiresAt, f.clock.now().adding(seconds: 180 * 86_400), "the key's expiry slides")
        XCTAssertEqual(try f.events("login.succeeded").last?.reason, "device_key")
        XCTAssertEqual(try f.events("device.used").last?.details["device_id"], id.rawValue)

        try f.service.revoke(token: try f.session(anna).token, deviceID: id)
        XCTAssertThrowsError(try f.sessions.check(token: session.token)) {
            XCTAssertEqual($0 as? RiegelError, .sessionExpired(.revoked), "revoking the device ends its sessions")
        }
    }

    func testWrongSignatureIsInvalidSignatureAndCountsTowardsTooManyAttempts() throws {
        let f = DeviceServiceFixture()
        let anna = try f.account("anna")
        let (id, key) = try f.enrolKey(anna)
        let wrongKey = FakeSignatureVerifier.publicKey(seed: 99)
        for attempt in 1...5 {
            let (nonce, _) = try f.service.beginDeviceLogin(deviceID: id)
            XCTAssertThrowsError(try f.service.finishDeviceLogin(deviceID: id, nonce: nonce,
                                                                 signature: f.signature(nonce, wrongKey),
                                                                 client: client), "attempt \(attempt)") {
                XCTAssertEqual($0 as? RiegelError, .invalidSignature)
            }
        }
        let (nonce, _) = try f.service.beginDeviceLogin(deviceID: id)
        XCTAssertThrowsError(try f.service.finishDeviceLogin(deviceID: id, nonce: nonce, signature: f.signature(nonce, key),
                                                             client: client), "even the right key waits") {
            XCTAssertEqual($0 as? RiegelError, .tooManyAttempts(retryAfterSeconds: 1))
        }
        XCTAssertEqual(try f.events("device_login.failed").map(\.reason),
                       Array(repeating: "invalid_signature", count: 5) + ["throttled"])
        XCTAssertEqual(try f.events("throttle.engaged").count, 2, "the device key and the client address")
        f.clock.advance(seconds: 1)
        XCTAssertNoThrow(try f.service.finishDeviceLogin(deviceID: id, nonce: nonce, signature: f.signature(nonce, key),
                                                         client: client), "a refused attempt did not spend the nonce")
        XCTAssertEqual(try f.base.throttles.state(for: "device:" + id.rawValue)?.failures, [],
                       "a valid signature resets the device key's failures")
    }

    func testLockedAccountGetsAccountLockedAfterAValidSignature() throws {
        let f = DeviceServiceFixture()
        let anna = try f.account("anna")
        let (id, key) = try f.enrolKey(anna)
        let until = f.clock.now().adding(seconds: 3600)
        try f.base.accounts.setLock(id: anna.id, until: until)
        let (nonce, _) = try f.service.beginDeviceLogin(deviceID: id)
        XCTAssertThrowsError(try f.service.finishDeviceLogin(deviceID: id, nonce: nonce,
                                                             signature: f.signature(nonce, FakeSignatureVerifier.publicKey(seed: 9)),
                                                             client: client)) {
            XCTAssertEqual($0 as? RiegelError, .invalidSignature, "a wrong signature learns nothing about the lock")
        }
        let (again, _) = try f.service.beginDeviceLogin(deviceID: id)
        XCTAssertThrowsError(try f.service.finishDeviceLogin(deviceID: id, nonce: again, signature: f.signature(again, key),
                                                             client: client)) {
            XCTAssertEqual($0 as? RiegelError, .accountLocked(until: until))
        }
        XCTAssertEqual(f.sessions.liveCount(of: anna.id), 1, "only the enrolment session")
    }

    func testUnknownRevokedExpiredOrBrowserDeviceAnswersLikeAWrongSignatureAfterTheSameWork() throws {
        let f = DeviceServiceFixture(policy: DevicePolicy(appKeyIdleLifetime: 3600))
        let anna = try f.account("anna")
        let (revoked, revokedKey) = try f.enrolKey(anna, seed: 1)
        try f.service.revoke(token: try f.session(anna).token, deviceID: revoked)
        let (expiring, expiringKey) = try f.enrolKey(anna, seed: 2)
        let (browser, _) = try f.service.trust(userID: anna.id, label: nil, client: client)
        let unknown = DeviceID(rawValue: "d_" + String(repeating: "0", count: 32))
        f.clock.advance(seconds: 3600)
        for (id, key) in [(revoked, revokedKey), (expiring, expiringKey), (browser, revokedKey), (unknown, revokedKey)] {
            let (nonce, expiresAt) = try f.service.beginDeviceLogin(deviceID: id)
            XCTAssertEqual(expiresAt, f.clock.now().adding(seconds: 120), "every id gets the same kind of nonce")
            let before = f.verifier.verificationCount
            XCTAssertThrowsError(try f.service.finishDeviceLogin(deviceID: id, nonce: nonce, signature: f.signature(nonce, key),
                                                                 client: ClientContext())) {
                XCTAssertEqual($0 as? RiegelError, .invalidSignature, "\(id)")
            }
            XCTAssertEqual(f.verifier.verificationCount, before + 1, "one verification, as for a known device")
        }
        XCTAssertEqual(try f.events("device_login.failed").map(\.reason),
                       ["device_revoked", "device_expired", "not_an_app_key", "unknown_device"])
    }

    func testMalformedIDOrSignatureIsATypedErrorAndChangesNothing() throws {
        let f = DeviceServiceFixture()
        let anna = try f.account("anna")
        let (id, key) = try f.enrolKey(anna)
        XCTAssertThrowsError(try f.service.beginDeviceLogin(deviceID: DeviceID(rawValue: "not-a-device"))) {
            XCTAssertEqual($0 as? RiegelError, .noSuchDevice)
        }
        XCTAssertEqual(f.nonces.count, 0)
        let (nonce, _) = try f.service.beginDeviceLogin(deviceID: id)
        for bad in ["", "***", DeviceServiceFixture.base64([0x30, 0x05, 1]), DeviceServiceFixture.base64(Array("sig".utf8))] {
            XCTAssertThrowsError(try f.service.finishDeviceLogin(deviceID: id, nonce: nonce, signature: bad, client: client)) {
                XCTAssertEqual($0 as? RiegelError, .invalidSignature)
            }
        }
        XCTAssertThrowsError(try f.service.finishDeviceLogin(deviceID: DeviceID(rawValue: "d_x"), nonce: nonce,
                                                             signature: f.signature(nonce, key), client: client)) {
            XCTAssertEqual($0 as? RiegelError, .noSuchDevice)
        }
        XCTAssertNil(try f.base.throttles.state(for: "device:" + id.rawValue), "malformed input is not counted")
        XCTAssertEqual(try f.events("device_login.failed"), [])
        XCTAssertNoThrow(try f.service.finishDeviceLogin(deviceID: id, nonce: nonce, signature: f.signature(nonce, key),
                                                         client: client), "the nonce was not spent")
    }

    func testSweepDeletesExpiredDevicesAndNonces() throws {
        let f = DeviceServiceFixture(policy: DevicePolicy(browserLifetime: 600))
        let anna = try f.account("anna")
        let (browser, _) = try f.service.trust(userID: anna.id, label: nil, client: client)
        let (key, _) = try f.enrolKey(anna)
        _ = try f.service.beginDeviceLogin(deviceID: key)
        f.clock.advance(seconds: 121)
        XCTAssertEqual(try f.service.sweep(), 1, "the nonce")
        f.clock.advance(seconds: 600)
        XCTAssertEqual(try f.service.sweep(), 1, "the browser")
        XCTAssertNil(try f.store.device(id: browser))
        XCTAssertNotNil(try f.store.device(id: key))
    }
}
