import Logging
import RiegelCore
import RiegelRPC
import RiegelService
import ServiceLifecycle
import UnixSignals

/// Reloads the config on SIGHUP: `RELOADING=1`, re-read, swap what can change
/// while running (the role table and the resource classes), `READY=1`.
///
/// A file with problems keeps the config in force and says so in `STATUS=`
/// and the log; riegeld goes on serving.
///
/// - Important: `hangups` must trap SIGHUP before the service group starts:
///   READY=1 is sent from inside the group, and a SIGHUP that came before this
///   service had started would otherwise kill the daemon (the default action).
struct ReloadService: Service, CustomStringConvertible {
    var description: String { "ReloadService" }
    let hangups: UnixSignalsSequence
    let configPath: String
    let running: RiegelConfig
    let authorizer: AuthorizerHolder
    let access: AccessService
    let userDatabase: any UserDatabase
    let notifier: SystemdNotifier
    let state: DaemonState
    let logger: Logger

    func run() async throws {
        for await _ in hangups.cancelOnGracefulShutdown() {
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
        let catalog: ResourceClassCatalog
        do {
            catalog = try fresh.resourceClassCatalog()
        } catch {
            logger.error("config reload failed; keeping the config in force", metadata: ["error": "\(error)"])
            notify { try notifier.ready(status: "serving; reload failed: \(error)") }
            return
        }
        authorizer.replace(with: RoleAuthorizer(roles: fresh.roleTable, database: userDatabase, logger: logger))
        access.replaceCatalog(catalog)
        if fresh.daemon != running.daemon || fresh.sms != running.sms || fresh.password != running.password
            || fresh.session != running.session || fresh.throttle != running.throttle || fresh.audit != running.audit {
            logger.warning("config reloaded: [roles] and [resource_class.*] took effect; other changed sections need a restart")
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
