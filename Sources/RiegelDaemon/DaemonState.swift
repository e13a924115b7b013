import RiegelCore
import RiegelRPC
import Synchronization

/// The daemon's lifecycle state and check results, shared by the services
/// that change it and the `Status` method that reports it.
public final class DaemonState: Sendable {
    private struct Inner {
        var state: DaemonStatus.State = .serving
        var checks: [DaemonStatus.Check] = []
    }

    private let inner = Mutex(Inner())
    private let startedAt: Instant
    private let startedMonotonic: ContinuousClock.Instant
    private let clock: any WallClock

    /// Starts the record now.
    public init(clock: any WallClock) {
        self.clock = clock
        self.startedAt = clock.now()
        self.startedMonotonic = .now
    }

    /// Records (or replaces, by name) a check result.
    public func record(_ check: DaemonStatus.Check) {
        inner.withLock { inner in
            if let i = inner.checks.firstIndex(where: { $0.name == check.name }) {
                inner.checks[i] = check
            } else {
                inner.checks.append(check)
            }
        }
    }

    /// Moves to `state`.
    public func set(_ state: DaemonStatus.State) {
        inner.withLock { $0.state = state }
    }

    /// A snapshot for `io.riegel.Admin.Status`.
    public func status() -> DaemonStatus {
        let (state, checks) = inner.withLock { ($0.state, $0.checks) }
        let uptime = startedMonotonic.duration(to: .now).components.seconds
        return DaemonStatus(state: state, version: RiegelVersion.current, startedAt: startedAt,
                            uptimeSeconds: Int(uptime), checks: checks)
    }
}
