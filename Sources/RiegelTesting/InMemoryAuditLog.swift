import RiegelCore
import Synchronization

/// An audit log in memory, with the SQLite log's rules: seqs from 1 without
/// gaps, the same chain (``AuditChain``), a checkpoint every
/// `checkpointInterval` entries, the same filters and verification. It is
/// also its own ``AuditTampering``, for the conformance suite.
public final class InMemoryAuditLog: AuditLog, AuditReader, AuditMaintenance, AuditTampering, Sendable {
    struct State: Sendable {
        var entries: [AuditEntry] = []
        var checkpoints: [AuditCheckpoint] = []
        var anchor: AuditCheckpoint?
    }

    private let state = Mutex(State())
    private let clock: any WallClock
    private let hasher: any AuditHasher
    private let sealer: any CheckpointSealer
    private let checkpointInterval: Int

    /// A log stamped by `clock`, hashing with `hasher`, sealing every
    /// `checkpointInterval` entries with `sealer`.
    public init(clock: any WallClock, sealer: any CheckpointSealer = FakeCheckpointSealer(),
                hasher: any AuditHasher = SoftwareSHA256(), checkpointInterval: Int = 100) {
        precondition(checkpointInterval > 0, "checkpointInterval must be positive")
        self.clock = clock
        self.hasher = hasher
        self.sealer = sealer
        self.checkpointInterval = checkpointInterval
    }

    @discardableResult
    public func append(_ event: AuditEvent) throws -> AuditEntry {
        state.withLock { state in
            let last = state.entries.last
            let entry = AuditChain.entry(for: event, seq: (last?.seq ?? 0) + 1, time: clock.now(),
                                         previous: last?.hash ?? AuditChain.genesisHash, using: hasher)
            state.entries.append(entry)
            if AuditChain.isScheduledCheckpoint(seq: entry.seq, interval: Int64(checkpointInterval)) {
                state.checkpoints.append(sealer.checkpoint(seq: entry.seq, hash: entry.hash))
            }
            return entry
        }
    }

    public func query(_ filter: AuditFilter, limit: Int?) throws -> AuditQueryResult {
        state.withLock { state in
            var matching = state.entries.filter(filter.matches)
            if let limit { matching = Array(matching.suffix(max(limit, 0))) }
            return AuditQueryResult(entries: matching, lastSeq: state.entries.last?.seq ?? 0)
        }
    }

    public func count(matching filter: AuditFilter) throws -> Int {
        state.withLock { $0.entries.filter(filter.matches).count }
    }

    public func entries(after seq: Int64, matching filter: AuditFilter, limit: Int) throws -> [AuditEntry] {
        state.withLock { state in
            Array(state.entries.filter { $0.seq > seq && filter.matches($0) }.prefix(max(limit, 0)))
        }
    }

    public func lastSeq() throws -> Int64 {
        state.withLock { $0.entries.last?.seq ?? 0 }
    }

    public func verify() throws -> AuditVerification {
        let (entries, checkpoints, anchor) = state.withLock { ($0.entries, $0.checkpoints, $0.anchor) }
        let from = anchor?.seq ?? 0
        var verifier = AuditChainVerifier(checkpoints: checkpoints.filter { $0.seq > from }, anchor: anchor,
                                          hasher: hasher, seals: sealer, checkpointInterval: checkpointInterval)
        for entry in entries.sorted(by: { $0.seq < $1.seq }) where entry.seq > from { verifier.check(entry) }
        return verifier.finish()
    }

    public func anchor() throws -> AuditCheckpoint? {
        state.withLock { $0.anchor }
    }

    public func checkpoints(in range: ClosedRange<Int64>) throws -> [AuditCheckpoint] {
        state.withLock { $0.checkpoints.filter { range.contains($0.seq) }.sorted { $0.seq < $1.seq } }
    }

    public func seqRange(since: Instant?, until: Instant?) throws -> ClosedRange<Int64>? {
        state.withLock { state in
            let retained = state.entries.filter { $0.seq > (state.anchor?.seq ?? 0) }
            guard let first = retained.first(where: { since == nil || $0.time >= since! }),
                  let last = retained.last(where: { until == nil || $0.time <= until! }),
                  first.seq <= last.seq else { return nil }
            return first.seq...last.seq
        }
    }

    public func prune(before cutoff: Instant, batchSize: Int) throws -> AuditPrune? {
        try state.withLock { state in
            let anchorSeq = state.anchor?.seq ?? 0
            let retained = state.entries.filter { $0.seq > anchorSeq }
            guard let last = retained.last else { return nil }
            let oldThrough = (retained.first { $0.time >= cutoff }?.seq ?? last.seq + 1) - 1
            guard let seq = AuditRetention.nextAnchor(
                checkpoints: state.checkpoints.map(\.seq).filter { $0 > anchorSeq }.sorted(), anchorSeq: anchorSeq,
                oldThrough: oldThrough, lastSeq: last.seq, batchSize: batchSize),
                let checkpoint = state.checkpoints.first(where: { $0.seq == seq }),
                let entry = retained.first(where: { $0.seq == seq }) else { return nil }
            var verifier = AuditChainVerifier(checkpoints: state.checkpoints.filter { $0.seq > anchorSeq && $0.seq <= seq },
                                              anchor: state.anchor, hasher: hasher, seals: sealer,
                                              checkpointInterval: checkpointInterval)
            for stored in retained where stored.seq <= seq { verifier.check(stored) }
            let verdict = verifier.finish()
            guard verdict.ok, checkpoint.hash == entry.hash else {
                throw AuditPruneRefused(seq: verdict.firstBadSeq ?? seq, problem: verdict.problem ?? "the chain is incomplete")
            }
            let anchor = sealer.checkpoint(seq: seq, hash: entry.hash)
            let removed = state.entries.filter { $0.seq > anchorSeq && $0.seq <= seq }.count
            state.anchor = anchor
            state.entries.removeAll { $0.seq <= seq }
            state.checkpoints.removeAll { $0.seq <= seq }
            return AuditPrune(anchor: anchor, removed: removed)
        }
    }

    @discardableResult
    public func forgetUsername(of userID: UserID) throws -> Int {
        state.withLock { state in
            var count = 0
            for index in state.entries.indices
            where state.entries[index].event.userID == userID && state.entries[index].event.username != nil {
                state.entries[index].event.username = nil
                count += 1
            }
            return count
        }
    }

    @discardableResult
    public func checkpoint() throws -> AuditCheckpoint? {
        state.withLock { state in
            guard let last = state.entries.last, state.checkpoints.last?.seq != last.seq else { return nil }
            let checkpoint = sealer.checkpoint(seq: last.seq, hash: last.hash)
            state.checkpoints.append(checkpoint)
            return checkpoint
        }
    }

    // MARK: AuditTampering

    public func editType(atSeq seq: Int64, to type: String) throws {
        state.withLock { state in
            for index in state.entries.indices where state.entries[index].seq == seq {
                state.entries[index].event.type = type
            }
        }
    }

    public func deleteEntry(seq: Int64) throws {
        state.withLock { $0.entries.removeAll { $0.seq == seq } }
    }

    public func swapSeq(_ first: Int64, _ second: Int64) throws {
        state.withLock { state in
            for index in state.entries.indices {
                if state.entries[index].seq == first {
                    state.entries[index].seq = second
                } else if state.entries[index].seq == second {
                    state.entries[index].seq = first
                }
            }
            state.entries.sort { $0.seq < $1.seq }
        }
    }

    public func truncate(after seq: Int64) throws {
        state.withLock { $0.entries.removeAll { $0.seq > seq } }
    }

    public func deleteCheckpoints() throws {
        state.withLock { $0.checkpoints.removeAll() }
    }

    public func forgeCheckpointSeal(atSeq seq: Int64) throws {
        state.withLock { state in
            for index in state.checkpoints.indices where state.checkpoints[index].seq == seq {
                state.checkpoints[index].seal = Self.flipped(state.checkpoints[index].seal)
            }
        }
    }

    public func forgeAnchorSeal() throws {
        state.withLock { state in
            state.anchor = state.anchor.map { AuditCheckpoint(seq: $0.seq, hash: $0.hash, seal: Self.flipped($0.seal)) }
        }
    }

    public func storeLegacyCheckpoint(_ checkpoint: AuditCheckpoint) throws {
        state.withLock { state in
            state.checkpoints.removeAll { $0.seq == checkpoint.seq }
            state.checkpoints.append(checkpoint)
            state.checkpoints.sort { $0.seq < $1.seq }
        }
    }

    private static func flipped(_ seal: CheckpointSeal) -> CheckpointSeal {
        var bytes = seal.bytes
        bytes[0] ^= 0x01
        switch seal {
        case .hmac(let digest): return .hmac(KeyedDigest(bytes: bytes, keyID: digest.keyID))
        case .signature(_, let keyID): return .signature(bytes: bytes, keyID: keyID)
        }
    }

    public func replaceEntries(with entries: [AuditEntry]) throws {
        guard let from = entries.first?.seq else { return }
        state.withLock { state in
            state.entries.removeAll { $0.seq >= from }
            state.entries += entries
        }
    }
}
