import Logging
import RiegelService
import ServiceLifecycle

/// Writes session activity to the store in batches and sweeps dead sessions,
/// expired trusted devices, expired device-login nonces and stale throttle states.
///
/// Runs every `flushInterval`; sweeps every `sweepInterval`. On graceful
/// shutdown it flushes once more, so a clean stop loses no activity; a crash
/// loses at most one interval, which can only make sessions expire early.
struct SessionMaintenanceService: Service, CustomStringConvertible {
    let sessions: SessionService
    let devices: DeviceService
    let accounts: AccountService
    let flushInterval: Duration
    let sweepInterval: Duration
    let logger: Logger

    var description: String { "SessionMaintenanceService" }

    func run() async throws {
        var sinceSweep = Duration.zero
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let interval = flushInterval
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                break
            }
            if Task.isShuttingDownGracefully { break }
            sinceSweep += flushInterval
            if sinceSweep >= sweepInterval {
                sinceSweep = .zero
                tick { try sessions.sweep() }
                tick { try devices.sweep() }
                tick { try accounts.purgeStaleThrottles() }
                tick { try accounts.purgeFactorChallenges() }
            } else {
                tick { try sessions.flush() }
            }
        }
        tick { try sessions.flush() }
    }

    private func tick(_ body: () throws -> Int) {
        do {
            let n = try body()
            if n > 0 { logger.trace("session maintenance", metadata: ["count": "\(n)"]) }
        } catch {
            logger.error("session maintenance failed; will retry", metadata: ["error": "\(error)"])
        }
    }
}
