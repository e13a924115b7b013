import Foundation
import Logging
import ServiceLifecycle
import Testing
@testable import RiegelDaemon

private let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

@Suite struct WatchdogServiceTests {
    @Test func intervalIsHalfOfWatchdogUsec() {
        #expect(WatchdogService.pingInterval(environment: [:]) == nil)
        #expect(WatchdogService.pingInterval(environment: ["WATCHDOG_USEC": "30000000"]) == .seconds(15))
        #expect(WatchdogService.pingInterval(environment: ["WATCHDOG_USEC": "0"]) == nil)
        #expect(WatchdogService.pingInterval(environment: ["WATCHDOG_USEC": "x"]) == nil)
        #expect(WatchdogService.pingInterval(environment: ["WATCHDOG_USEC": "2000", "WATCHDOG_PID": "1"], pid: 42) == nil)
        #expect(WatchdogService.pingInterval(environment: ["WATCHDOG_USEC": "2000", "WATCHDOG_PID": "42"], pid: 42) == .milliseconds(1))
    }

    @Test func pingsWhileHealthyUntilCancelled() async throws {
        let listener = try DatagramListener()
        let service = WatchdogService(pingInterval: .milliseconds(20),
                                      notifier: SystemdNotifier(environment: ["NOTIFY_SOCKET": listener.address]),
                                      logger: quiet, healthy: { true })
        let task = Task { try await service.run() }
        #expect(await listener.next() == "WATCHDOG=1")
        #expect(await listener.next() == "WATCHDOG=1")
        task.cancel()
        try await task.value
    }

    @Test func withholdsPingsWhenUnhealthy() async throws {
        let listener = try DatagramListener()
        let service = WatchdogService(pingInterval: .milliseconds(10),
                                      notifier: SystemdNotifier(environment: ["NOTIFY_SOCKET": listener.address]),
                                      logger: quiet, healthy: { false })
        let task = Task { try await service.run() }
        #expect(await listener.next(timeout: .milliseconds(150)) == nil)
        task.cancel()
        try await task.value
    }

    @Test func disabledWatchdogWaitsForShutdown() async throws {
        let service = WatchdogService(environment: [:], notifier: SystemdNotifier(environment: [:]),
                                      logger: quiet, healthy: { true })
        #expect(service.pingInterval == nil)
        let task = Task { try await service.run() }
        try await Task.sleep(for: .milliseconds(20))
        task.cancel()
        try await task.value
    }

    @Test func stopsOnGracefulShutdownOfItsServiceGroup() async throws {
        let listener = try DatagramListener()
        let service = WatchdogService(pingInterval: .milliseconds(20),
                                      notifier: SystemdNotifier(environment: ["NOTIFY_SOCKET": listener.address]),
                                      logger: quiet, healthy: { true })
        let group = ServiceGroup(services: [service], logger: quiet)
        let task = Task { try await group.run() }
        #expect(await listener.next() == "WATCHDOG=1")
        await group.triggerGracefulShutdown()
        try await task.value
    }
}
