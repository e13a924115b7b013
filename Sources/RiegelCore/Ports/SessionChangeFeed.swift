/// Tells one instance which sessions other instances sharing its session
/// store changed (PostgreSQL: `LISTEN` and a catch-up query on a change log).
public protocol SessionChangeFeed: Sendable {
    /// Delivers changes to `sink` until the task is cancelled: reconnects on
    /// its own after a lost connection and catches up with what it missed,
    /// reporting each completed catch-up with
    /// ``SessionChangeSink/sessionChangesCaughtUp(asOf:)``, so the sink can
    /// tell how current its memory is.
    func run(into sink: any SessionChangeSink) async throws
}
