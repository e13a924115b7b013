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
    }

    private let state = Mutex(State())
    private let clock: any WallClock
    private let hasher: any AuditHasher
    private let digester: any KeyedDigester
    private let checkpointInterval: Int

    /// A log stamped by `clock`, hashing with `hasher`, sealing every
    /// `checkpointInterval` entries with `digester`'s audit key.
    public init(clock: any WallClock, digester: any KeyedDigester, hasher: any AuditHasher = SoftwareSHA256(),
                checkpointInterval: Int = 100) {
        precondition(checkpointInterval > 0, "checkpointInterval must be positive")
        self.clock = clock
        self.hasher = hasher
        self.digester = digester
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
                state.checkpoints.append(AuditChain.checkpoint(seq: entry.seq, hash: entry.hash, using: digester))
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
        let (entries, checkpoints) = state.withLock { ($0.entries, $0.checkpoints) }
        var verifier = AuditChainVerifier(checkpoints: checkpoints, hasher: hasher, digester: digester,
                                              checkpointInterval: checkpointInterval)
        for entry in entries.sorted(by: { $0.seq < $1.seq }) { verifier.check(entry) }
        return verifier.finish()
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
            let checkpoint = AuditChain.checkpoint(seq: last.seq, hash: last.hash, using: digester)
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

    public func forgeCheckpointMAC(atSeq seq: Int64) throws {
        state.withLock { state in
            for index in state.checkpoints.indices where state.checkpoints[index].seq == seq {
                state.checkpoints[index].mac.bytes[0] ^= 0x01
            }
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
