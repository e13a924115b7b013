import Logging
import RiegelService
import ServiceLifecycle

/// Sends what is left in the SMS outbox (messages queued before a crash, or
/// whose first delivery ran out of the caller's time) and purges finished
/// challenges, old message rows and idle send windows.
///
/// A pass runs at start, so messages written just before a crash go out as
/// soon as the daemon is back, then every `interval`; purging every `purgeInterval`.
struct SMSDispatcherService: Service, CustomStringConvertible {
    let dispatcher: SMSDispatcher
    let challenges: SMSChallengeService
    let interval: Duration
    let purgeInterval: Duration
    let logger: Logger

    var description: String { "SMSDispatcherService" }

    func run() async throws {
        var sincePurge = Duration.zero
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let sent = await dispatcher.dispatchDue()
            if sent > 0 { logger.info("sent queued SMS", metadata: ["count": "\(sent)"]) }
            if sincePurge >= purgeInterval {
                sincePurge = .zero
                do { try challenges.purge() } catch {
                    logger.error("SMS purge failed; will retry", metadata: ["error": "\(error)"])
                }
            }
            let interval = self.interval
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                break
            }
            sincePurge += interval
        }
    }
}
