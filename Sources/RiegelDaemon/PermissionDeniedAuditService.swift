import RiegelService
import ServiceLifecycle

/// Runs the ``PermissionDeniedAuditor`` for the daemon's lifetime; on graceful
/// shutdown it writes the denial counts still open, then returns.
struct PermissionDeniedAuditService: Service, CustomStringConvertible {
    var description: String { "PermissionDeniedAuditService" }
    let auditor: PermissionDeniedAuditor

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await auditor.run()
        }
    }
}
