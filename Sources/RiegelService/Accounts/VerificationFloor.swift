import Synchronization

/// The shortest time a login's password verification may take, so that its
/// answer does not tell what kind of hash the account has or whether the
/// account exists (issue 11, item 10; security rule 1).
///
/// It keeps the durations of recent *reference* verifications, those that
/// ran argon2id with the configured parameters (the dummy hash, current
/// hashes of known users, and decoys that are current hashes), and ``padded(clock:_:)`` makes
/// every verification last at least their upper quartile. So a known user
/// whose stored hash is cheaper (an imported pbkdf2 or bcrypt hash, older
/// smaller argon2id parameters) or is refused without running (over the cost
/// caps, malformed) answers in about the time of an unknown user.
///
/// - Important: padding only lengthens. A stored hash that is *more*
///   expensive than the configured parameters answers later; unknown names
///   match that through ``DecoyHashPool`` (they are verified against sampled
///   stored hashes), not through this floor.
///   Durations are measured around the whole pooled call, so a queue wait
///   counts in the reference and in the padded call alike. The wait is a
///   sleep, not work: it holds no hashing thread.
public final class VerificationFloor: Sendable {
    private let samples = Mutex<[Duration]>([])
    /// How many recent reference durations are kept.
    public let capacity: Int

    /// A floor over the last `capacity` reference durations (none yet: no padding).
    public init(capacity: Int = 32) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    /// Adds the duration of a reference verification.
    public func record(_ duration: Duration) {
        samples.withLock { kept in
            kept.append(duration)
            if kept.count > capacity { kept.removeFirst(kept.count - capacity) }
        }
    }

    /// The upper quartile of the kept reference durations; zero without any.
    public var floor: Duration {
        let sorted = samples.withLock { $0 }.sorted()
        guard !sorted.isEmpty else { return .zero }
        return sorted[min(sorted.count - 1, sorted.count * 3 / 4)]
    }

    /// Runs `body`, which verifies a password and says whether its run is a
    /// reference (then its duration is recorded); then waits on `clock` until
    /// at least ``floor`` has passed since the start. A `body` that throws is
    /// not padded (its error, e.g. `Overloaded`, says nothing about the account).
    public func padded<C: Clock, T>(clock: C, _ body: () async throws -> (T, isReference: Bool)) async throws -> T
        where C.Duration == Duration {
        let started = clock.now
        let (result, isReference) = try await body()
        if isReference { record(started.duration(to: clock.now)) }
        let until = started.advanced(by: floor)
        if clock.now < until { try? await clock.sleep(until: until, tolerance: nil) }
        return result
    }
}
