import Logging
import RiegelRPC
import Varlink
import XCTest

/// A user database with fixed contents.
private struct FakeUserDatabase: UserDatabase {
    var users: [String: UInt32] = ["portal-app": 1001, "alice": 1002]
    var groups: [String: UInt32] = ["riegel-portal": 2001, "riegel-admin": 2002]
    /// uid → groups the database lists for that user.
    var memberships: [UInt32: Set<UInt32>] = [1002: [2002]]

    func uid(ofUser name: String) -> UInt32? { users[name] }
    func gid(ofGroup name: String) -> UInt32? { groups[name] }
    func groups(ofUID uid: UInt32, primaryGid: UInt32) -> Set<UInt32> {
        users.values.contains(uid) ? (memberships[uid] ?? []).union([primaryGid]) : []
    }
}

/// Security rule 8: roles from peer credentials.
final class RoleAuthorizerTests: XCTestCase {
    let logger = Logger(label: "test")

    func peer(uid: UInt32, gid: UInt32) -> PeerCredentials {
        PeerCredentials(pid: 42, uid: uid, gid: gid)
    }

    func authorizer(_ roles: [Role: [Principal]]) -> RoleAuthorizer {
        RoleAuthorizer(roles: roles, database: FakeUserDatabase(), logger: logger)
    }

    func testUIDPrincipalAdmitsOnlyThatUID() {
        let a = authorizer([.admin: [.uid(0)]])
        XCTAssertTrue(a.permits(peer(uid: 0, gid: 0), .admin))
        XCTAssertFalse(a.permits(peer(uid: 1, gid: 0), .admin))
    }

    func testUserPrincipalIsResolvedToItsUID() {
        let a = authorizer([.portal: [.user("portal-app")]])
        XCTAssertTrue(a.permits(peer(uid: 1001, gid: 9), .portal))
        XCTAssertFalse(a.permits(peer(uid: 1002, gid: 9), .portal))
    }

    func testGroupPrincipalMatchesPrimaryGID() {
        let a = authorizer([.portal: [.group("riegel-portal")]])
        XCTAssertTrue(a.permits(peer(uid: 4242, gid: 2001), .portal))
    }

    func testGroupPrincipalMatchesSupplementaryGroupListedForTheUser() {
        let a = authorizer([.admin: [.group("riegel-admin")]])
        XCTAssertTrue(a.permits(peer(uid: 1002, gid: 100), .admin), "alice is listed in riegel-admin")
        XCTAssertFalse(a.permits(peer(uid: 1001, gid: 100), .admin), "portal-app is not")
    }

    func testPeerThatDroppedAGroupListedForItIsRefused() {
        // alice is listed in riegel-admin, but the connecting process cleared its groups:
        // the kernel's list (SO_PEERGROUPS) counts, not the user database.
        let a = authorizer([.admin: [.group("riegel-admin")]])
        XCTAssertFalse(a.permits(PeerCredentials(pid: 42, uid: 1002, gid: 100, groups: []), .admin))
        XCTAssertTrue(a.permits(PeerCredentials(pid: 42, uid: 1001, gid: 100, groups: [5, 2002]), .admin),
                      "a group the process really has counts even if the database does not list it")
        XCTAssertTrue(a.permits(PeerCredentials(pid: 42, uid: 1002, gid: 2002, groups: []), .admin), "primary gid")
    }

    func testPeerOutsideTheRoleIsRefused() {
        let a = authorizer([.portal: [.group("riegel-portal")], .admin: [.uid(0)]])
        XCTAssertFalse(a.permits(peer(uid: 65534, gid: 65534), .portal))
        XCTAssertFalse(a.permits(peer(uid: 65534, gid: 65534), .admin))
        XCTAssertFalse(a.permits(peer(uid: 0, gid: 0), .audit), "a role without principals admits nobody")
    }

    func testUnknownNamesMatchNobodyAndAreReported() {
        let a = authorizer([.portal: [.user("ghost"), .group("no-such-group")]])
        XCTAssertEqual(Set(a.unresolved), [.user("ghost"), .group("no-such-group")])
        XCTAssertEqual(a.members(of: .portal), RoleAuthorizer.Members())
        XCTAssertFalse(a.permits(peer(uid: 0, gid: 0), .portal))
    }

    func testPrincipalParsing() {
        XCTAssertEqual(Principal(parsing: "uid:0"), .uid(0))
        XCTAssertEqual(Principal(parsing: "user:portal-app"), .user("portal-app"))
        XCTAssertEqual(Principal(parsing: "group:riegel-admin"), .group("riegel-admin"))
        for bad in ["wheel", "uid:", "uid:-1", "uid:x", "group:", "group:a b", "host:x", "user:-x"] {
            XCTAssertNil(Principal(parsing: bad), bad)
        }
    }

    func testSystemUserDatabaseKnowsRoot() {
        let db = SystemUserDatabase()
        XCTAssertEqual(db.uid(ofUser: "root"), 0)
        XCTAssertEqual(db.gid(ofGroup: "root"), 0)
        XCTAssertTrue(db.groups(ofUID: 0, primaryGid: 0).contains(0))
        XCTAssertNil(db.uid(ofUser: "no-such-user-riegel"))
    }
}
