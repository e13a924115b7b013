import RiegelCore
@testable import RiegelService
import RiegelTesting
import XCTest

/// Issue 6: users list and revoke their own devices, nobody else's.
final class DeviceManagementTests: XCTestCase {
    func testListShowsOnlyTheUsersActiveDevicesOldestFirst() throws {
        let f = DeviceServiceFixture(policy: DevicePolicy(browserLifetime: 600))
        let anna = try f.account("anna"), bob = try f.account("bob")
        let (old, _) = try f.service.trust(userID: anna.id, label: "Old laptop", client: ClientContext())
        f.clock.advance(seconds: 1)
        let (revoked, _) = try f.service.trust(userID: anna.id, label: "Gone", client: ClientContext())
        try f.service.revoke(token: try f.session(anna).token, deviceID: revoked)
        f.clock.advance(seconds: 1)
        let (key, _) = try f.enrolKey(anna, label: "Phone")
        _ = try f.service.trust(userID: bob.id, label: "Bob's", client: ClientContext())
        let token = try f.session(anna).token
        XCTAssertEqual(try f.service.list(token: token).map(\.deviceID), [old, key])
        XCTAssertEqual(try f.service.list(token: token).map(\.label), ["Old laptop", "Phone"])
        XCTAssertEqual(try f.service.list(token: token).map(\.kind), [.browser, .appKey])
        f.clock.advance(seconds: 600)
        XCTAssertEqual(try f.service.list(token: try f.session(anna).token).map(\.deviceID), [key], "expired ones go")
        XCTAssertThrowsError(try f.service.list(token: "tok-nope")) { XCTAssertEqual($0 as? RiegelError, .invalidToken) }
    }

    func testRevokingAnotherUsersDeviceIsNoSuchDeviceAndChangesNothing() throws {
        let f = DeviceServiceFixture()
        let anna = try f.account("anna"), bob = try f.account("bob")
        let (bobs, _) = try f.service.trust(userID: bob.id, label: nil, client: ClientContext())
        let before = try f.store.device(id: bobs)
        let annaToken = try f.session(anna).token
        for id in [bobs, DeviceID(rawValue: "d_" + String(repeating: "f", count: 32)), DeviceID(rawValue: "garbage")] {
            XCTAssertThrowsError(try f.service.revoke(token: annaToken, deviceID: id)) {
                XCTAssertEqual($0 as? RiegelError, .noSuchDevice)
            }
        }
        XCTAssertEqual(try f.store.device(id: bobs), before)
        XCTAssertEqual(try f.events("device.revoked"), [])
    }

    func testRevokingOwnDeviceEndsItsSessionsAndAnswersNoSuchDeviceTheSecondTime() throws {
        let f = DeviceServiceFixture()
        let anna = try f.account("anna")
        let (id, token) = try f.service.trust(userID: anna.id, label: nil, client: ClientContext())
        let fromDevice = try f.session(anna, deviceID: id)
        let manager = try f.session(anna)
        try f.service.revoke(token: manager.token, deviceID: id)
        XCTAssertThrowsError(try f.sessions.check(token: fromDevice.token))
        XCTAssertNoThrow(try f.sessions.check(token: manager.token))
        XCTAssertEqual(try f.service.redeem(token: token, for: anna.id, client: ClientContext()), .notTrusted)
        XCTAssertEqual(try f.events("device.revoked").map(\.reason), ["user"])
        XCTAssertThrowsError(try f.service.revoke(token: manager.token, deviceID: id)) {
            XCTAssertEqual($0 as? RiegelError, .noSuchDevice)
        }
    }
}
