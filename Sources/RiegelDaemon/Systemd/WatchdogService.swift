import Foundation
import Logging
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// Sends `WATCHDOG=1` at half of systemd's `WATCHDOG_USEC` while the daemon
/// is healthy, until graceful shutdown or cancellation. When systemd asks for
/// no watchdog it just waits for shutdown, so it can always be in the group.
public struct WatchdogService: Service {
    /// Time between pings; nil: watchdog off.
    public let pingInterval: Duration?
    private let notifier: SystemdNotifier
    private let logger: Logger
    private let healthy: @Sendable () async -> Bool

    /// A watchdog pinging every `pingInterval` (nil: off) when `healthy()` says so.
    public init(pingInterval: Duration?, notifier: SystemdNotifier, logger: Logger,
                healthy: @escaping @Sendable () async -> Bool) {
        self.pingInterval = pingInterval
        self.notifier = notifier
        self.logger = logger
        self.healthy = healthy
    }

    /// A watchdog configured from `WATCHDOG_USEC` / `WATCHDOG_PID` in `environment`.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                notifier: SystemdNotifier, logger: Logger, healthy: @escaping @Sendable () async -> Bool) {
        self.init(pingInterval: Self.pingInterval(environment: environment), notifier: notifier,
                  logger: logger, healthy: healthy)
    }

    /// Half of `WATCHDOG_USEC`, as systemd recommends; nil when unset, not a
    /// positive number, or `WATCHDOG_PID` names another process.
    public static func pingInterval(environment: [String: String], pid: Int32 = getpid()) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let usec = UInt64(text), usec > 0 else { return nil }
        if let owner = environment["WATCHDOG_PID"], Int32(owner) != pid { return nil }
        return .microseconds(Int64(clamping: usec / 2))
    }

    /// Pings until graceful shutdown or cancellation.
    public func run() async throws {
        guard let interval = pingInterval else {
            try? await gracefulShutdown()
            return
        }
        logger.debug("systemd watchdog on", metadata: ["ping_interval": "\(interval)"])
        do {
            try await cancelWhenGracefulShutdown { [notifier, logger, healthy] in
                var wasHealthy = true
                while !Task.isCancelled {
                    let isHealthy = await healthy()
                    if isHealthy {
                        do { try notifier.watchdog() } catch {
                            logger.warning("watchdog ping failed", metadata: ["error": "\(error)"])
                        }
                    }
                    if isHealthy != wasHealthy {
                        if isHealthy {
                            logger.notice("healthy again; watchdog pings resume")
                        } else {
                            logger.error("unhealthy; withholding watchdog pings so systemd can restart the service")
                        }
                        wasHealthy = isHealthy
                    }
                    try await Task.sleep(for: interval)
                }
            }
        } catch is CancellationError {
            return
        }
    }
}
