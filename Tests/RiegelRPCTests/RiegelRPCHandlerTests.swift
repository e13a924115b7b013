import RiegelCore
@testable import RiegelRPC
import Varlink
import XCTest

/// riegel's handlers called through the service's routing, in process: the
/// role check, parameter validation, error mapping and one happy call per
/// interface, with a fake peer and in-memory stores (no socket).
final class RiegelRPCHandlerTests: XCTestCase {
    static let password = "correct horse battery staple 42"

    /// The varlink error `body` is answered with, or a failure if it succeeds.
    func refusal(_ body: () async throws -> [String: JSONValue],
                 file: StaticString = #filePath, line: UInt = #line) async -> VarlinkError? {
        do {
            let reply = try await body()
            XCTFail("answered \(reply), expected an error", file: file, line: line)
            return nil
        } catch {
            XCTAssertTrue(error is VarlinkError, "\(error) is not a varlink error", file: file, line: line)
            return error as? VarlinkError
        }
    }

    func register(_ f: RiegelRPCFixture, _ username: String = "alice") async throws -> String {
        let reply = try await f.call("io.riegel.Auth.Register", ["username": .string(username),
                                                                "password": .string(Self.password)])
        return try XCTUnwrap(reply["user_id"]?.string)
    }

    // MARK: - the method tables

    func testEveryDeclaredMethodIsBoundAndEveryBoundMethodIsDeclared() throws {
        let f = try RiegelRPCFixture()
        XCTAssertEqual(RiegelIDL.interfaces.map(\.name), ["io.riegel.Auth", "io.riegel.Admin", "io.riegel.Audit"])
        for interface in RiegelIDL.interfaces {
            let bound = Set(interface.table(f.methods).keys)
            let declared = Set(interface.definition.methods.keys)
            XCTAssertEqual(bound.subtracting(declared), [], "\(interface.name): bound but not declared")
            XCTAssertEqual(declared.subtracting(bound), [], "\(interface.name): declared but not bound")
        }
    }

    // MARK: - permission

    func testAPeerWithoutTheRoleIsDeniedBeforeItsParametersAreRead() async throws {
        let f = try RiegelRPCFixture()
        let stranger = await refusal { try await f.call("io.riegel.Auth.CheckSession", [:], as: RiegelRPCFixture.stranger) }
        XCTAssertEqual(stranger, VarlinkError.permissionDenied())
        let portal = await refusal { try await f.call("io.riegel.Admin.Status", as: RiegelRPCFixture.portal) }
        XCTAssertEqual(portal, VarlinkError.permissionDenied())
        let admin = await refusal { try await f.call("io.riegel.Audit.Verify", as: RiegelRPCFixture.admin) }
        XCTAssertEqual(admin, VarlinkError.permissionDenied())
        // org.varlink.service is open to every peer.
        let info = try await f.call("org.varlink.service.GetInfo", as: RiegelRPCFixture.stranger)
        XCTAssertEqual(info["interfaces"], .array(["org.varlink.service", "io.riegel.Auth", "io.riegel.Admin",
                                                   "io.riegel.Audit"].map { .string($0) }))
    }

    // MARK: - typed errors

    func testAWrongPasswordIsAnsweredInvalidCredentials() async throws {
        let f = try RiegelRPCFixture()
        _ = try await register(f)
        let error = await refusal {
            try await f.call("io.riegel.Auth.Login", ["username": "alice", "password": "not the password at all"])
        }
        XCTAssertEqual(error, VarlinkError(name: "io.riegel.Auth.InvalidCredentials"))
    }

    func testAnErrorBothInterfacesDeclareIsNamedAfterTheCallingInterface() async throws {
        let f = try RiegelRPCFixture()
        let admin = await refusal {
            try await f.call("io.riegel.Admin.GetAccount", ["username": "nobody"], as: RiegelRPCFixture.admin)
        }
        XCTAssertEqual(admin, VarlinkError(name: "io.riegel.Admin.NoSuchAccount"))
    }

    func testAnInvalidPhoneNumberSaysWhy() async throws {
        let f = try RiegelRPCFixture()
        let error = await refusal {
            try await f.call("io.riegel.Auth.Register", ["username": "bob", "password": .string(Self.password),
                                                         "phone": "12"])
        }
        XCTAssertEqual(error?.name, "io.riegel.Auth.InvalidPhoneNumber")
        let reason = try XCTUnwrap(error?.parameters["reason"]?.string)
        XCTAssertFalse(reason.isEmpty)
        XCTAssertFalse(reason.contains("12"), "the reason must not echo the number: \(reason)")
    }

    // MARK: - bad parameters

    func testAMissingParameterIsNamed() async throws {
        let f = try RiegelRPCFixture()
        let error = await refusal { try await f.call("io.riegel.Auth.Register", ["username": "alice"]) }
        XCTAssertEqual(error, VarlinkError.invalidParameter("password"))
    }

    func testAParameterOfTheWrongTypeIsNamed() async throws {
        let f = try RiegelRPCFixture()
        let error = await refusal { try await f.call("io.riegel.Auth.CheckSession", ["token": 7]) }
        XCTAssertEqual(error, VarlinkError.invalidParameter("token"))
    }

    func testAHandlerRefusesAValueTheIDLCannotExpress() async throws {
        let f = try RiegelRPCFixture()
        _ = try await register(f)
        let until = await refusal {
            try await f.call("io.riegel.Admin.LockAccount", ["username": "alice", "reason": "r", "until": "tomorrow"],
                             as: RiegelRPCFixture.admin)
        }
        XCTAssertEqual(until, VarlinkError.invalidParameter("until"))
        let hours = await refusal { try await f.call("io.riegel.Admin.SmsStats", ["hours": 0], as: RiegelRPCFixture.admin) }
        XCTAssertEqual(hours, VarlinkError.invalidParameter("hours"))
    }

    // MARK: - one happy call per interface

    func testAuthRegisterLoginAndCheckSession() async throws {
        let f = try RiegelRPCFixture()
        let userID = try await register(f)
        let login = try await f.call("io.riegel.Auth.Login", ["username": "alice", "password": .string(Self.password)])
        let token = try XCTUnwrap(login["session"]?["token"]?.string)
        // CheckSession writes its reply straight into a buffer (immediateWriting).
        let checked = try await f.call("io.riegel.Auth.CheckSession", ["token": .string(token)])
        XCTAssertEqual(checked["info"]?["user_id"]?.string, userID)
        XCTAssertEqual(checked["info"]?["username"]?.string, "alice")
        XCTAssertEqual(checked["info"]?["assurance"]?.string, "password")
    }

    func testAdminStatus() async throws {
        let f = try RiegelRPCFixture()
        let status = try await f.call("io.riegel.Admin.Status", as: RiegelRPCFixture.admin)
        XCTAssertEqual(status["state"], "serving")
        XCTAssertEqual(status["version"], "test")
    }

    /// The counting lives in StatsService; the handler only encodes it.
    func testAdminStatsCountsAccountsSessionsAndTheLastHoursFailedLogins() async throws {
        let f = try RiegelRPCFixture()
        _ = try await register(f, "alice")
        _ = try await register(f, "bob")
        _ = try await f.call("io.riegel.Auth.Login", ["username": "alice", "password": .string(Self.password)])
        _ = await refusal { try await f.call("io.riegel.Auth.Login", ["username": "bob", "password": "wrong password"]) }
        let stats = try await f.call("io.riegel.Admin.Stats", as: RiegelRPCFixture.admin)
        XCTAssertEqual(stats, ["accounts": 2, "sessions_active": 1, "challenges_pending": 0, "sms_sent_last_hour": 0,
                               "logins_failed_last_hour": 1])
        // An hour later the failed login has left the window; the accounts stay.
        f.clock.advance(seconds: 3601)
        let later = try await f.methods.stats.current()
        XCTAssertEqual(later.loginsFailedLastHour, 0)
        XCTAssertEqual(later.accounts, 2)
    }

    func testAuditVerifyOfAnIntactTrail() async throws {
        let f = try RiegelRPCFixture()
        _ = try await register(f)
        let verified = try await f.call("io.riegel.Audit.Verify", as: RiegelRPCFixture.auditor)
        XCTAssertEqual(verified["ok"], true)
        XCTAssertGreaterThan(verified["entries"]?.int ?? 0, 0)
    }
}
