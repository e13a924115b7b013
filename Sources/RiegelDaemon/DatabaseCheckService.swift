import Logging
import RiegelStore
import ServiceLifecycle

/// Runs the database's integrity check beside requests when a clean-stop
/// record let the start skip it (``RiegelDatabase/deferredCheck``), and stops
/// riegeld if it fails: a damaged file is served only for the seconds the
/// check takes (docs/reliability.md, "Start-up integrity check"). Records the
/// result in the `database_check` check of `Status`.
struct DatabaseCheckService: Service, CustomStringConvertible {
    var description: String { "DatabaseCheckService" }
    let database: RiegelDatabase
    let state: DaemonState
    let notifier: SystemdNotifier
    let logger: Logger

    func run() async throws {
        if database.deferredCheck != nil {
            let started = ContinuousClock.now
            do {
                try await database.runDeferredCheck()
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
