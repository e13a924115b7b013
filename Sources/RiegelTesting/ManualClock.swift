import RiegelCore
import Synchronization

/// A clock for tests: time stands still until the test advances it.
public final class ManualClock: WallClock, Sendable {
    private let current: Mutex<Instant>

    /// Starts at `start` (default 2026-01-01T00:00:00Z).
    public init(start: Instant = Instant(secondsSinceEpoch: 1_767_225_600)) {
        current = Mutex(start)
    }

    public func now() -> Instant { current.withLock { $0 } }

    /// Moves the clock forward by `seconds`.
    public func advance(seconds: Double) {
        current.withLock { $0 = $0.adding(seconds: seconds) }
    }

    /// Sets the clock to `instant`.
    public func set(_ instant: Instant) {
        current.withLock { $0 = instant }
    }
}
