import Logging
import RiegelCore
import Synchronization

/// The admin key use cases: list, rotate, retire; and the re-wrap jobs that
/// move a purpose's rows to its active key after a rotation.
///
/// A rotation commits the new key, then saves a `running` ``KeyRewrap``;
/// ``runPending()`` (called by the daemon's re-wrap service) works through
/// it in batches of ``batchSize`` rows, each batch one short transaction,
/// pausing ``pause`` between batches so that requests keep their latency.
/// At start, ``resumeInterrupted()`` gives every purpose with rows under an
/// older key a running job, whatever point a crash hit.
///
/// - Important: while a job runs, lookups by e-mail find rows under either
///   key (blind indexes are looked up under every usable key); a key is
///   retired only when no row references it (checked in the retiring transaction).
public final class KeyAdministration: Sendable {
    let ring: any KeyRotator
    let store: any KeyRewrapStore
    let rewrapper: KeyRewrapper
    let audit: AuditRecorder
    let clock: any WallClock
    let logger: Logger
    let metrics: RiegelMetrics
    /// Rows per batch transaction.
    public let batchSize: Int
    /// The pause between two batches.
    public let pause: Duration
    /// How long after its successor was made a key may be retired: zero on
    /// one instance; on a shared store, long enough for every other
    /// instance's ring to have adopted the rotation, so that none still
    /// seals under the key (``retire(_:)`` waits out the rest).
    public let retireGrace: Duration
    private let rotating = Mutex<Set<KeyPurpose>>([])

    /// Binds the use cases; `sealer`, `digester` and `checkpoints` re-seal
    /// under the active keys.
    public init(ring: any KeyRotator, store: any KeyRewrapStore, sealer: any SecretSealer, digester: any KeyedDigester,
                checkpoints: any CheckpointSealer, audit: AuditRecorder, clock: any WallClock, batchSize: Int, pause: Duration, retireGrace: Duration = .zero,
                logger: Logger, metrics: RiegelMetrics = .off) {
        self.ring = ring
        self.store = store
        rewrapper = KeyRewrapper(sealer: sealer, digester: digester, checkpoints: checkpoints)
        self.audit = audit
        self.clock = clock
        self.batchSize = max(1, batchSize)
        self.pause = pause
        self.retireGrace = retireGrace
        self.logger = logger
        self.metrics = metrics
    }

    /// Every key with the rows that use it, and the latest re-wrap of each purpose.
    public func list() async throws -> (keys: [KeyListing], rewraps: [KeyRewrap]) {
        try ring.refresh()
        let usage = try await store.usage(now: clock.now())
        let keys = ring.keyInfos().map { KeyListing(info: $0, inUse: usage[$0.id] ?? 0) }
        return (keys, try await store.rewraps())
    }

    /// The latest re-wrap of every purpose that had one.
    public func rewraps() async throws -> [KeyRewrap] {
        try await store.rewraps()
    }

    /// The latest re-wrap of `purpose`, if it had one.
    public func rewrap(of purpose: KeyPurpose) async throws -> KeyRewrap? {
        try await store.rewraps().first { $0.purpose == purpose }
    }

    /// Makes a new active key for `purpose` and starts moving its rows to it.
    ///
    /// - Parameter trigger: `admin` (a peer's call; the audit entry carries
    ///   its uid) or `schedule` (`[keys] rotate_after`).
    /// - Throws: ``RiegelError/rotationInProgress(purpose:)`` while the
    ///   purpose's previous re-wrap runs; store errors as thrown.
    public func rotate(_ purpose: KeyPurpose, trigger: String = "admin") async throws -> KeyRewrap {
        let claimed = rotating.withLock { $0.insert(purpose).inserted }
        guard claimed else { throw RiegelError.rotationInProgress(purpose: purpose) }
        defer { _ = rotating.withLock { $0.remove(purpose) } }
        if try await rewrap(of: purpose)?.state == .running {
            throw RiegelError.rotationInProgress(purpose: purpose)
        }
        try ring.refresh()  // another instance's rotation first, so the new id is free
        let previous = activeKey(purpose)
        let id = try ring.rotate(purpose)
        let now = clock.now()
        let job = KeyRewrap(purpose: purpose, keyID: id, state: .running, processed: 0,
                            total: try await store.staleCount(purpose, current: id), startedAt: now, updatedAt: now)
        try await store.save(job)
        audit.record(.keyRotated, .success, details: [
            "purpose": purpose.rawValue, "key_id": id.description, "previous_key_id": previous?.description ?? "",
            "trigger": trigger, "rows": "\(job.total)"])
        return job
    }

    /// Sleeps until ``retireGrace`` has passed since the first key of
    /// `info`'s purpose made after it (its successor) was created; at most
    /// ``retireGrace`` whatever the clocks of the hosts say.
    private func waitOutRetireGrace(after info: DataKeyInfo) async throws {
        guard retireGrace > .zero,
              let successor = ring.keyInfos().filter({ $0.purpose == info.purpose && $0.id > info.id })
                  .map(\.createdAt).min() else { return }
        let grace = Double(retireGrace.components.seconds) + Double(retireGrace.components.attoseconds) / 1e18
        let remaining = min(grace, grace - (clock.now().secondsSinceEpoch - successor.secondsSinceEpoch))
        if remaining > 0 { try await Task.sleep(for: .seconds(remaining)) }
    }

    /// Retires key `id`: refused for an unknown or active key and while rows use it.
    /// - Throws: ``RiegelError/noSuchKey``, ``RiegelError/keyActive``, ``RiegelError/keyInUse(inUse:)``.
    public func retire(_ id: KeyID) async throws {
        try ring.refresh()
        guard let info = ring.keyInfos().first(where: { $0.id == id }) else { throw RiegelError.noSuchKey }
        guard info.state != .retired else { return }
        try await waitOutRetireGrace(after: info)
        let logErased: Bool
        do {
            logErased = try await store.retire(id, now: clock.now())
        } catch let error as KeyRewrapStoreError {
            switch error {
            case .unknownKey: throw RiegelError.noSuchKey
            case .active: throw RiegelError.keyActive
            case .inUse(_, let count): throw RiegelError.keyInUse(inUse: count)
            }
        }
        ring.forgetRetired(id)
        audit.record(.keyRetired, .success, details: ["purpose": info.purpose.rawValue, "key_id": id.description])
        if !logErased {
            logger.warning("key retired, but the database's write-ahead log may still hold its wrapped material until it is recycled",
                           metadata: ["key_id": "\(id)"])
        }
    }

    /// Gives every purpose whose long-lived rows are under an older key a
    /// running job, if it has none (and its job for the active key did not
    /// fail): after a crash between a rotation's commit and its job's, or with
    /// rows written under the old key by requests in flight during a
    /// rotation. Returns the purposes it started.
    @discardableResult
    public func resumeInterrupted() async throws -> [KeyPurpose] {
        let jobs = try await store.rewraps()
        var started: [KeyPurpose] = []
        for purpose in KeyPurpose.allCases {
            guard let active = activeKey(purpose) else { continue }
            let latest = jobs.first { $0.purpose == purpose }
            // A running job resumes as it is; a failed one stays failed until
            // the purpose is rotated again (it would fail at the same row).
            if latest?.state == .running || (latest?.state == .failed && latest?.keyID == active) { continue }
            let stale = try await store.staleCount(purpose, current: active)
            guard stale > 0 else { continue }
            let now = clock.now()
            try await store.save(KeyRewrap(purpose: purpose, keyID: active, state: .running, processed: 0, total: stale,
                                           startedAt: now, updatedAt: now))
            logger.notice("re-wrap started for rows under older keys", metadata: [
                "purpose": "\(purpose.rawValue)", "rows": "\(stale)"])
            started.append(purpose)
        }
        return started
    }

    /// Runs every running job to its end (finished or failed), each only
    /// while this instance holds its purpose's claim (on a shared store,
    /// another riegeld may be running it).
    public func runPending() async throws {
        for job in try await store.rewraps() where job.state == .running {
            try Task.checkCancellation()
            _ = try await store.exclusively(job.purpose) {
                // Read again under the claim: its holder until now may have finished it.
                guard let current = try await self.store.rewraps().first(where: { $0.purpose == job.purpose }),
                      current.state == .running else { return }
                try await self.run(current)
            }
        }
    }

    /// Rotates the purposes `schedule` says are due; returns them.
    @discardableResult
    public func rotateDue(_ schedule: KeyRotationSchedule) async throws -> [KeyPurpose] {
        let running = Set(try await store.rewraps().filter { $0.state == .running }.map(\.purpose))
        let due = schedule.due(keys: ring.keyInfos(), running: running, now: clock.now())
        for purpose in due {
            do {
                _ = try await rotate(purpose, trigger: "schedule")
            } catch RiegelError.rotationInProgress {
                continue
            }
        }
        return due
    }

    /// Moves `job`'s rows batch by batch; ends it finished, or failed at the
    /// first value it cannot re-seal. A cancelled task leaves it running (it
    /// resumes at the next start).
    func run(_ start: KeyRewrap) async throws {
        var job = start
        var idleBatches = 0
        defer {
            metrics.keyRewrap(purpose: job.purpose, processed: job.processed, total: job.total,
                              running: job.state == .running && !Task.isCancelled)
        }
        // A job made through another instance of a shared store names a key
        // this ring may not have adopted yet; sealing under an older one would
        // never empty the job.
        if (activeKey(job.purpose)?.rawValue ?? 0) < job.keyID.rawValue { try ring.refresh() }
        guard (activeKey(job.purpose)?.rawValue ?? 0) >= job.keyID.rawValue else {
            logger.error("re-wrap waits: its key is not in this riegeld's key ring",
                         metadata: ["purpose": "\(job.purpose.rawValue)", "key_id": "\(job.keyID)"])
            return
        }
        while true {
            metrics.keyRewrap(purpose: job.purpose, processed: job.processed, total: job.total, running: true)
            try Task.checkCancellation()
            let current = activeKey(job.purpose) ?? job.keyID
            let batch = try await store.staleSecrets(job.purpose, current: current, limit: batchSize)
            if batch.isEmpty {
                job.state = .finished
                job.updatedAt = clock.now()
                try await store.save(job)
                audit.record(.keyRewrapFinished, .success, details: [
                    "purpose": job.purpose.rawValue, "key_id": job.keyID.description, "rows": "\(job.processed)"])
                return
            }
            let replacements: [RewrappedSecret]
            do {
                replacements = try batch.map(rewrapper.rewrap)
            } catch {
                job.state = .failed
                job.problem = String(describing: error)
                job.updatedAt = clock.now()
                try await store.save(job)
                audit.record(.keyRewrapFailed, .failure, reason: "unreadable_row", details: [
                    "purpose": job.purpose.rawValue, "key_id": job.keyID.description, "problem": job.problem ?? ""])
                logger.error("re-wrap failed", metadata: ["purpose": "\(job.purpose.rawValue)",
                                                          "problem": "\(job.problem ?? "")"])
                return
            }
            job.updatedAt = clock.now()
            let before = job.processed
            job = try await store.replace(replacements, progress: job)
            // Every row of the batch changed under us (a password change, say):
            // read again; a store that never writes would loop, so give up.
            idleBatches = job.processed == before ? idleBatches + 1 : 0
            if idleBatches >= 100 {
                job.state = .failed
                job.problem = "rows under older keys could not be replaced (100 batches in a row changed meanwhile)"
                try await store.save(job)
                logger.error("re-wrap failed", metadata: ["purpose": "\(job.purpose.rawValue)"])
                return
            }
            if pause > .zero { try await Task.sleep(for: pause) }
        }
    }

    private func activeKey(_ purpose: KeyPurpose) -> KeyID? {
        ring.keyInfos().first { $0.purpose == purpose && $0.state == .active }?.id
    }
}
