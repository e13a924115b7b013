import Logging
import ServiceLifecycle

/// Tells systemd `READY=1` once the group runs, and `STOPPING=1` as soon as a
/// graceful shutdown begins.
///
/// READY comes from inside the group because the group traps SIGTERM/SIGINT
/// before it starts its services: a stop request right after READY is then
/// a graceful stop, not a kill by the default signal action. It is the last
/// service, so a shutdown signals it first.
struct LifecycleNotifierService: Service, CustomStringConvertible {
    let notifier: SystemdNotifier
    let state: DaemonState
    let readyStatus: String
    let logger: Logger

    var description: String { "LifecycleNotifierService" }

    func run() async throws {
        notify { try notifier.ready(status: readyStatus) }
        do {
            try await gracefulShutdown()
        } catch {
            return  // cancelled: the group is going down without a graceful phase
        }
        state.set(.stopping)
        logger.notice("stopping: answering calls in flight, then exiting")
        notify { try notifier.stopping(status: "stopping") }
    }

    private func notify(_ body: () throws -> Void) {
        do { try body() } catch {
            logger.warning("cannot notify systemd", metadata: ["error": "\(error)"])
        }
    }
}
