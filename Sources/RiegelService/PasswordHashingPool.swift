import Foundation
import Metrics
import RiegelCore

/// Runs a ``PasswordHasher`` on a fixed number of dedicated threads with a
/// bounded queue, so that the event loops and Swift's cooperative pool never
/// block on argon2id, and memory stays bounded under a login flood.
///
/// At most `workers` hashes run at once and at most `queueLimit` wait; a call
/// beyond that fails at once with ``PasswordHashingPoolError/overloaded(retryAfterSeconds:)``.
/// Call ``shutdown(finishingQueuedWork:)`` before dropping the pool; it returns
/// when every worker thread has ended and been joined.
///
/// - Important: peak hashing memory is `workers` × the hasher's memory (argon2id
///   allocates per running hash); queued calls hold only the password bytes and
///   a continuation. A queued call runs even if the caller's task is cancelled
///   (its result is then dropped): cancellation never skips a verification that
///   already counts against throttling.
public final class PasswordHashingPool: Sendable {
    /// How many workers and how long a queue.
    public struct Configuration: Sendable, Hashable {
        /// Dedicated hashing threads (the most hashes running at once).
        public var workers: Int
        /// Calls that may wait for a worker (`[password] hash_queue_limit`); more fail with `overloaded`.
        public var queueLimit: Int
        /// The `retry_after` an overloaded caller is told.
        public var retryAfterSeconds: Int
        /// How much nicer than the rest of the process each worker thread runs
        /// (`[password] hash_nice`, 0 to 19): under a login storm the
        /// scheduler then gives the event loops (CheckSession) the cores first,
        /// and the hashes the time they leave. 0: the same priority.
        public var workerNice: Int
        /// Whether each worker thread runs in the `SCHED_IDLE` class
        /// (`[password] hash_idle`; ``workerNice`` then has no effect): the
        /// scheduler runs a hash only when no other thread of the host wants
        /// the core, and a waking event loop takes the core back at once. A
        /// storm then costs session checks least, but logins nearly stop while
        /// anything else on the host keeps the cores busy.
        public var workerIdle: Bool

        /// The default ``workerNice``: 10 (measured in BENCHMARKS.md, "Login storm").
        public static let defaultWorkerNice = 10
        /// The default ``workerIdle``: off, so logins keep a share of a busy host.
        public static let defaultWorkerIdle = false

        /// A configuration; `queueLimit` defaults to 4 × `workers`. The
        /// daemon counts the workers (`[password] hash_workers`, by default as
        /// many as its event loops), so the pool keeps no count of cores of its own.
        public init(workers: Int, queueLimit: Int? = nil, retryAfterSeconds: Int = 1,
                    workerNice: Int = defaultWorkerNice, workerIdle: Bool = defaultWorkerIdle) {
            self.workers = workers
            self.queueLimit = queueLimit ?? 4 * workers
            self.retryAfterSeconds = retryAfterSeconds
            self.workerNice = workerNice
            self.workerIdle = workerIdle
        }
    }

    /// A snapshot of the pool's occupancy.
    public struct Load: Sendable, Hashable {
        /// Hashes running now (at most `workers`).
        public var running: Int
        /// Calls waiting for a worker (at most `queueLimit`).
        public var queued: Int
    }

    /// The configuration the pool runs with.
    public let configuration: Configuration
    let state: PasswordHashingPoolState
    let metrics: RiegelMetrics

    /// Starts `configuration.workers` threads that run `hasher`.
    ///
    /// - Precondition: `workers >= 1`, `queueLimit >= 0`, `retryAfterSeconds >= 1`
    ///   (the config loader reports bad values with their file and line first).
    ///
    /// `metrics` gets the running and queued figures at every change and
    /// counts refusals (`riegel_password_hash_*`).
    public convenience init(hasher: any PasswordHasher, configuration: Configuration,
                            metrics: RiegelMetrics = .off) {
        self.init(hasher: hasher, configuration: configuration, observer: nil, metrics: metrics)
    }

    /// As the public initializer; `observer` sees every change of ``Load`` (tests),
    /// called with the pool's lock held: it must not call back into the pool.
    init(hasher: any PasswordHasher, configuration: Configuration, observer: (@Sendable (Load) -> Void)?,
         metrics: RiegelMetrics = .off) {
        precondition(configuration.workers >= 1, "workers must be at least 1")
        precondition(configuration.queueLimit >= 0, "queueLimit must not be negative")
        precondition(configuration.retryAfterSeconds >= 1, "retryAfterSeconds must be at least 1")
        self.configuration = configuration
        self.metrics = metrics
        Gauge(label: "riegel_password_hash_workers", factory: metrics.factory).record(configuration.workers)
        Gauge(label: "riegel_password_hash_queue_limit", factory: metrics.factory).record(configuration.queueLimit)
        metrics.hashInFlight.record(0)
        metrics.hashQueued.record(0)
        state = PasswordHashingPoolState(hasher: hasher, configuration: configuration, observer: { load in
            metrics.hashInFlight.record(load.running)
            metrics.hashQueued.record(load.queued)
            observer?(load)
        })
        state.start()
    }

    deinit {
        // Every call in flight retains the pool, so nothing is queued or running
        // here: the workers are idle and end at once.
        state.stop(finishingQueuedWork: false)
        state.joinWorkers()
    }

    /// A PHC string of `password`, computed on a pool thread.
    /// - Throws: ``PasswordHashingPoolError`` when full or shut down; the hasher's errors.
    public func hash(_ password: [UInt8]) async throws -> String {
        try await run { hasher in try hasher.hash(password) }
    }

    /// Whether `password` matches `phc`, checked on a pool thread.
    /// - Throws: ``PasswordHashingPoolError`` when full or shut down; the hasher's errors.
    public func verify(_ password: [UInt8], against phc: String) async throws -> Bool {
        try await run { hasher in try hasher.verify(password, against: phc) }
    }

    /// Hashes the UTF-8 bytes of `password`.
    public func hash(_ password: String) async throws -> String {
        try await hash(Array(password.utf8))
    }

    /// Verifies the UTF-8 bytes of `password`.
    public func verify(_ password: String, against phc: String) async throws -> Bool {
        try await verify(Array(password.utf8), against: phc)
    }

    /// Whether `phc` should be replaced after a good login (cheap: parsing only, runs inline).
    public func needsRehash(_ phc: String) -> Bool {
        state.hasher.needsRehash(phc)
    }

    /// How busy the pool is now.
    public var load: Load { state.load }

    /// Whether a call now would be refused (every worker busy, queue full).
    /// A hint for refusing early; the pool itself stays the authority.
    public var isSaturated: Bool {
        let l = load
        return l.running >= configuration.workers && l.queued >= configuration.queueLimit
    }

    /// Counts a call refused early because ``isSaturated`` said so (it is
    /// answered `Overloaded` as if the pool had refused it).
    public func countRefusal() {
        metrics.hashRefused()
    }

    /// Stops accepting calls and ends the workers; returns once every worker
    /// thread has ended and been joined. Idempotent.
    ///
    /// With `finishingQueuedWork` (the default) queued calls still run; without,
    /// they fail with ``PasswordHashingPoolError/shutDown``. Running hashes always finish.
    public func shutdown(finishingQueuedWork: Bool = true) async {
        state.stop(finishingQueuedWork: finishingQueuedWork)
        await state.waitUntilWorkersEnded()
        state.joinWorkers()
    }

    private func run<T: Sendable>(_ work: @escaping @Sendable (any PasswordHasher) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let job = PasswordHashingPoolState.Job(
                run: { hasher in continuation.resume(with: Result { try work(hasher) }) },
                fail: { error in continuation.resume(throwing: error) })
            if let refusal = state.submit(job) {
                if case .overloaded = refusal { metrics.hashRefused() }
                continuation.resume(throwing: refusal)
            }
        }
    }
}
