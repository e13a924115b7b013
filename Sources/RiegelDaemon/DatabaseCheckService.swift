import Logging
import ServiceLifecycle

/// Runs the database's integrity check beside requests when a clean-stop
/// record let the start skip it (SQLite's `RiegelDatabase.deferredCheck`), and stops
/// riegeld if it fails: a damaged file is served only for the seconds the
/// check takes (docs/reliability.md, "Start-up integrity check"). Records the
/// result in the `database_check` check of `Status`.
struct DatabaseCheckService: Service, CustomStringConvertible {
    var description: String { "DatabaseCheckService" }
    /// The deferred check; nil: nothing to do.
    let check: (@Sendable () async throws -> Void)?
    let state: DaemonState
    let notifier: SystemdNotifier
    let logger: Logger

    func run() async throws {
        if let check {
            let started = ContinuousClock.now
            do {
                try await check()
            } catch {
                state.record(.init(name: "database_check", ok: false, detail: "\(error)"))
                logger.critical("the database failed its integrity check while serving; stopping",
                                metadata: ["error": "\(error)"])
                try? notifier.status("failed: database integrity check")
                // Thrown: the service group stops every service and riegeld exits 1,
                // leaving no clean-stop record, so the next start checks before serving.
                throw error
            }
            state.record(.init(name: "database_check", ok: true,
                               detail: "ok after start, \((ContinuousClock.now - started).secondsText) s (clean stop before)"))
        }
        try await gracefulShutdown()
    }
}
