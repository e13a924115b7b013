import Logging
import RiegelCore
import RiegelService
import ServiceLifecycle

/// On a shared store (PostgreSQL): runs the ``SessionChangeFeed`` that keeps
/// this instance's session table current with the other instances'
/// revocations, renewals and deletions, until shutdown. While it is behind by
/// more than `[session] shared_cache_staleness`, checks read the database
/// (``SessionService``).
struct SessionChangeFeedService: Service, CustomStringConvertible {
    let feed: any SessionChangeFeed
    let sessions: SessionService
    let logger: Logger

    var description: String { "SessionChangeFeedService" }

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await feed.run(into: sessions) }
        } catch is CancellationError {
            return
        }
    }

    /// How often the feed reads at least: a third of the staleness bound, at
    /// most once a second and at least every 100 ms (a bound below that keeps
    /// memory from ever being current: every check reads the database).
    static func pollInterval(staleness: Double) -> Duration {
        .milliseconds(Int64(max(0.1, min(1.0, staleness / 3)) * 1000))
    }
}
