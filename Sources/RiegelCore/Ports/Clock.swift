/// The port through which core logic learns the current time.
///
/// Production uses the system clock; tests use a manual clock they advance.
public protocol WallClock: Sendable {
    /// The current time.
    func now() -> Instant
}
