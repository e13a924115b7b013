import Logging
import RiegelRPC
import ServiceLifecycle
import UnixSignals

/// Reloads the config on SIGHUP: `RELOADING=1`, re-read, swap what can change
/// while running (the role table), `READY=1`.
///
/// A file with problems keeps the config in force and says so in `STATUS=`
/// and the log; riegeld goes on serving.
struct ReloadService: Service, CustomStringConvertible {
    var description: String { "ReloadService" }
    let configPath: String
    let running: RiegelConfig
    let authorizer: AuthorizerHolder
    let userDatabase: any UserDatabase
    let notifier: SystemdNotifier
    let state: DaemonState
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            reload()
        }
    }

    /// One reload, start to finish.
    func reload() {
        state.set(.reloading)
        notify { try notifier.reloading(status: "reloading \(configPath)") }
        defer { state.set(.serving) }
        let fresh: RiegelConfig
        do {
            fresh = try RiegelConfig.load(path: configPath)
        } catch {
            logger.error("config reload failed; keeping the config in force", metadata: ["error": "\(error)"])
            notify { try notifier.ready(status: "serving; reload failed: \(firstLine(of: error))") }
            return
        }
        authorizer.replace(with: RoleAuthorizer(roles: fresh.roleTable, database: userDatabase, logger: logger))
        if fresh.daemon != running.daemon || fresh.sms != running.sms || fresh.password != running.password
            || fresh.session != running.session || fresh.throttle != running.throttle
            || fresh.resourceClasses != running.resourceClasses {
            logger.warning("config reloaded: [roles] took effect; other changed sections need a restart")
        } else {
            logger.notice("config reloaded")
        }
        notify { try notifier.ready(status: "serving; config reloaded") }
    }

    private func notify(_ body: () throws -> Void) {
        do { try body() } catch {
            logger.warning("cannot notify systemd", metadata: ["error": "\(error)"])
        }
    }

    private func firstLine(of error: any Error) -> String {
        String(describing: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
    }
}
