import Logging
import RiegelCore
import RiegelService
import ServiceLifecycle

/// Seals the tail of the audit chain with a checkpoint every `interval`, so
/// entries never stay unsealed for longer than that while riegeld runs; and,
/// with `[audit] retention`, prunes entries older than that at start and at
/// every tick.
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
    /// Pruning: nil without `[audit] retention`.
    var retention: Retention?

    /// What retention needs: how old is too old, the batch size, the clock,
    /// and the recorder of `audit.pruned`.
    struct Retention {
        /// Seconds an entry is kept.
        var keep: Double
        var batchSize: Int
        var clock: any WallClock
        var audit: AuditRecorder
    }

    var description: String { "AuditSealService" }

    func run() async throws {
        await prune()
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
            await prune()
        }
    }

    /// One pruning round: bounded batches until nothing is due (or a stop
    /// comes), then one `audit.pruned` event for the round.
    func prune() async {
        guard let retention else { return }
        let cutoff = retention.clock.now().adding(seconds: -retention.keep)
        var removed = 0
        var anchor: Int64?
        do {
            while !Task.isCancelled && !Task.isShuttingDownGracefully,
                  let step = try log.prune(before: cutoff, batchSize: retention.batchSize) {
                removed += step.removed
                anchor = step.anchor.seq
                await Task.yield()
            }
        } catch let refused as AuditPruneRefused {
            logger.error("audit retention stopped", metadata: ["error": "\(refused)"])
            retention.audit.record(.auditPruned, .failure, reason: "chain_broken",
                                   details: ["first_bad_seq": "\(refused.seq)", "removed": "\(removed)"])
            return
        } catch {
            logger.error("audit retention failed; will retry", metadata: ["error": "\(error)"])
        }
        if let anchor {
            logger.notice("audit entries pruned", metadata: ["anchor_seq": "\(anchor)", "removed": "\(removed)"])
            retention.audit.record(.auditPruned, .success, details: ["anchor_seq": "\(anchor)", "removed": "\(removed)"])
        }
    }
}
