import Logging
import RiegelCore
import RiegelService
import ServiceLifecycle

/// Runs the re-wrap jobs that rotations leave (see ``KeyAdministration``)
/// and the daemon's own rotations (`[keys] rotate_after`).
///
/// It looks for running jobs every `poll`, so a rotation's job starts within
/// that time, and asks the schedule every ``KeyRotationSchedule/checkInterval``.
/// A stop cancels a job between two batches; it stays `running` in the
/// database and resumes at the next start.
struct KeyRewrapService: Service, CustomStringConvertible {
    let keys: KeyAdministration
    let schedule: KeyRotationSchedule
    let clock: any WallClock
    let poll: Duration
    let logger: Logger

    var description: String { "KeyRewrapService" }

    func run() async throws {
        var nextScheduleCheck = clock.now()
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let checkSchedule = !schedule.rotateAfter.isEmpty && clock.now() >= nextScheduleCheck
            if checkSchedule { nextScheduleCheck = clock.now().adding(seconds: schedule.checkInterval) }
            do {
                try await cancelWhenGracefulShutdown { [checkSchedule] in
                    if checkSchedule {
                        let rotated = try await keys.rotateDue(schedule)
                        if !rotated.isEmpty {
                            logger.notice("keys rotated on schedule", metadata: [
                                "purposes": "\(rotated.map(\.rawValue).joined(separator: ","))"])
                        }
                    }
                    try await keys.runPending()
                    try await Task.sleep(for: poll)
                }
            } catch is CancellationError {
                break
            } catch {
                if Task.isShuttingDownGracefully { break }
                logger.error("key re-wrap: will retry", metadata: ["error": "\(error)"])
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: poll) }
            }
        }
    }
}
