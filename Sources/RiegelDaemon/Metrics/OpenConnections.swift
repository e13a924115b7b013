import NIOCore
import Synchronization

/// Counts the metrics endpoint's open connections and refuses those beyond the limit.
final class OpenConnections: Sendable {
    private let limit: Int
    private let count = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = limit
    }

    /// Whether `channel` may stay open; if so it is counted until it closes.
    func admit(_ channel: any Channel) -> Bool {
        guard count.add(1, ordering: .relaxed).oldValue < limit else {
            count.subtract(1, ordering: .relaxed)
            return false
        }
        channel.closeFuture.whenComplete { _ in self.count.subtract(1, ordering: .relaxed) }
        return true
    }
}
