import Logging
import RiegelCore
import RiegelTesting
import Testing
@testable import RiegelDaemon

/// Issue 11 item 4: the tail of the audit chain does not stay unsealed while riegeld runs.
@Suite struct AuditSealServiceTests {
    @Test func sealsTheUnsealedTailEveryIntervalUntilCancelled() async throws {
        let log = InMemoryAuditLog(clock: ManualClock(), checkpointInterval: 100)
        for n in 1...3 { try log.append(AuditEvent(type: "login.succeeded", outcome: .success, reason: "n\(n)")) }
        #expect(try log.verify().unsealed == 3)
        let service = AuditSealService(log: log, interval: .milliseconds(20),
                                       logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let task = Task { try await service.run() }
        let deadline = ContinuousClock.now + .seconds(10)
        while try log.verify().unsealed > 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(try log.verify().unsealed == 0, "the service must seal the tail within its interval")
        try log.append(AuditEvent(type: "login.failed", outcome: .failure, reason: "later"))
        while try log.verify().unsealed > 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(try log.verify().unsealed == 0, "and again for entries that come later")
        task.cancel()
        try await task.value
    }
}
