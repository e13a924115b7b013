import Logging
import RiegelCore
@testable import RiegelService
import RiegelTesting
import XCTest

/// Security events reach the audit trail, with the caller, and the journal copy gets a stable MESSAGE_ID.
final class AuditRecorderTests: XCTestCase {
    func testMessageIDIsStable32HexPerType() {
        let f = AccountServiceFixture()
        let id = f.audit.messageID(for: "login.failed")
        XCTAssertEqual(id.count, 32)
        XCTAssertTrue(id.allSatisfy { "0123456789abcdef".contains($0) })
        XCTAssertEqual(id, f.audit.messageID(for: "login.failed"))
        XCTAssertNotEqual(id, f.audit.messageID(for: "login.succeeded"))
        // Pinned: journalctl queries by MESSAGE_ID must keep working across versions.
        XCTAssertEqual(id, Hex.encode(SoftwareSHA256().sha256(Array("riegel-audit:login.failed".utf8)).prefix(16)))
    }

    func testEventsCarryThePeerBoundByTheRPCLayer() async throws {
        let f = AccountServiceFixture()
        try await AuditRecorder.$peer.withValue(AuditPeer(uid: 1001, pid: 4242)) {
            _ = try await f.service.register(username: "nina", password: "Kl4vier-Sonate-Mond", email: nil,
                                             phone: nil, client: .init(ip: "192.0.2.1"))
        }
        let entries = try f.auditLog.query(AuditFilter(types: ["account.created"]), limit: nil).entries
        XCTAssertEqual(entries.count, 1)
        XCTAssertEqual(entries[0].event.peerUID, 1001)
        XCTAssertEqual(entries[0].event.peerPID, 4242)
        XCTAssertEqual(entries[0].event.clientIP, "192.0.2.1")
    }

    func testLockoutAndBackoffAreAudited() async throws {
        let f = AccountServiceFixture()
        _ = try await f.service.register(username: "lena", password: "Kl4vier-Sonate-Mond", email: nil, phone: nil,
                                         client: .init())
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
        let all = try f.auditLog.query(AuditFilter(), limit: nil).entries.map(\.event)
        let types = all.map(\.type)
        XCTAssertTrue(types.contains("throttle.engaged"))
        XCTAssertEqual(types.filter { $0 == "account.locked" }.count, 1)
        XCTAssertEqual(all.filter { $0.type == "login.failed" && $0.reason == "wrong_password" }.count, 20)
        XCTAssertTrue(all.contains { $0.type == "login.failed" && $0.reason == "throttled" },
                      "refusals during a delay are audited too")
        XCTAssertTrue(try f.auditLog.verify().ok)
    }

    func testTheForwarderGetsEachAppendedEntry() throws {
        let log = InMemoryAuditLog(clock: ManualClock())
        let forwarder = RecordingAuditForwarder()
        let recorder = AuditRecorder(log: log, hasher: SoftwareSHA256(), logger: Logger(label: "test"), forwarder: forwarder)
        recorder.record(.loginFailed, .failure, username: "ghost", reason: "unknown_user")
        recorder.record(.accountUnlocked, .success, user: UserID(rawValue: "u1"), reason: "admin")
        XCTAssertEqual(forwarder.entries, try log.query(AuditFilter(), limit: nil).entries)
        XCTAssertEqual(forwarder.entries.map(\.event.type), ["login.failed", "account.unlocked"])
    }
}
