import Logging
import RiegelCore
import ServiceLifecycle

/// Seals the tail of the audit chain with a checkpoint every `interval`, so
/// entries never stay unsealed for longer than that while riegeld runs.
///
/// Scheduled checkpoints come every N entries; on a quiet day the last few
/// entries could otherwise wait hours for one, and until then the file alone
/// cannot show that they were removed or rewritten. `Audit.Verify` reports
/// what is still unsealed; this bounds it in time. The stop seals once more
/// (see ``Daemon``).
struct AuditSealService: Service, CustomStringConvertible {
    let log: any AuditMaintenance
    let interval: Duration
    let logger: Logger

    var description: String { "AuditSealService" }

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                break
            }
            if Task.isShuttingDownGracefully { break }
            do {
                if let checkpoint = try log.checkpoint() {
                    logger.trace("audit chain sealed", metadata: ["seq": "\(checkpoint.seq)"])
                }
            } catch {
                logger.error("audit checkpoint failed; will retry", metadata: ["error": "\(error)"])
            }
        }
    }
}
