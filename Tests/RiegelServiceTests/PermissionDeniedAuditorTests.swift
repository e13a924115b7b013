import Logging
import RiegelCore
import RiegelService
import RiegelTesting
import XCTest

/// A peer with no role cannot flood the audit trail: denials are counted, not appended one by one.
final class PermissionDeniedAuditorTests: XCTestCase {
    private func entries(_ log: InMemoryAuditLog) throws -> [AuditEvent] {
        try log.query(AuditFilter(types: ["permission.denied"]), limit: nil).entries.map(\.event)
    }

    private func waitFor(_ log: InMemoryAuditLog, count: Int) async throws -> [AuditEvent] {
        for _ in 0..<300 {
            let found = try entries(log)
            if found.count >= count { return found }
            try await Task.sleep(for: .milliseconds(10))
        }
        return try entries(log)
    }

    func testFloodOfDenialsIsOneEntryThenOneCountPerInterval() async throws {
        let log = InMemoryAuditLog(clock: ManualClock())
        let recorder = AuditRecorder(log: log, hasher: SoftwareSHA256(), logger: Logger(label: "test"))
        let auditor = PermissionDeniedAuditor(audit: recorder, interval: .milliseconds(300))
        let running = Task { await auditor.run() }
        for _ in 0..<5000 {
            auditor.denied(uid: 65534, pid: 7, gid: 65534, method: "io.riegel.Admin.Status", role: "admin")
        }
        auditor.denied(uid: 65534, pid: 7, gid: 65534, method: "io.riegel.Admin.Lock", role: "admin")
        let first = try await waitFor(log, count: 2)
        XCTAssertEqual(first.count, 2, "one entry per (uid, method) at once, not 5001")
        let status = try XCTUnwrap(first.first { $0.details["method"] == "io.riegel.Admin.Status" })
        XCTAssertEqual(status.peerUID, 65534)
        XCTAssertEqual(status.peerPID, 7)
        XCTAssertEqual(status.reason, "admin")
        XCTAssertEqual(status.outcome, .failure)
        XCTAssertEqual(status.details["count"], "1")
        // When the interval ends, the rest arrive as one count.
        let all = try await waitFor(log, count: 3)
        XCTAssertEqual(all.count, 3)
        XCTAssertEqual(all.compactMap { Int($0.details["count"] ?? "") }.reduce(0, +), 5001)
        // Quiet for an interval: the window closes and the next denial is recorded at once.
        try await Task.sleep(for: .milliseconds(700))
        auditor.denied(uid: 65534, pid: 8, gid: 65534, method: "io.riegel.Admin.Status", role: "admin")
        let again = try await waitFor(log, count: 4)
        XCTAssertEqual(again.count, 4)
        XCTAssertEqual(again.last?.peerPID, 8)
        running.cancel()
        await running.value
    }

    func testCountsStillOpenAreWrittenWhenItStops() async throws {
        let log = InMemoryAuditLog(clock: ManualClock())
        let recorder = AuditRecorder(log: log, hasher: SoftwareSHA256(), logger: Logger(label: "test"))
        let auditor = PermissionDeniedAuditor(audit: recorder, interval: .seconds(3600))
        let running = Task { await auditor.run() }
        for _ in 0..<10 { auditor.denied(uid: 1000, pid: 1, gid: 1000, method: "io.riegel.Audit.Query", role: "audit") }
        _ = try await waitFor(log, count: 1)
        running.cancel()
        await running.value
        let all = try entries(log)
        XCTAssertEqual(all.map { $0.details["count"] }, ["1", "9"])
    }
}
