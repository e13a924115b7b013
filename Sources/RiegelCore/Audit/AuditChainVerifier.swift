/// Walks a stored audit chain entry by entry (so a store can stream rows)
/// and checks its checkpoints on the way: the one verification every
/// ``AuditReader`` (and the exporter) uses.
///
/// Feed every stored entry in ascending seq order with ``check(_:)``, then
/// call ``finish()``. The walk starts after the trail's anchor (the signed
/// last entry of a pruned trail), or at seq 1 with the genesis hash.
/// Detected: an anchor whose seal does not verify, an edited chained field,
/// a missing entry (seq gap), entries out of order, a renumbered or
/// re-linked entry, a missing scheduled checkpoint (one is due at every
/// multiple of the writer's checkpoint interval, so deleting checkpoints
/// before rewriting the chain is caught), a checkpoint whose hash differs
/// from the recomputed chain (entries up to it rewritten), a checkpoint
/// whose seal does not verify (forged), and a checkpoint beyond the last
/// entry (entries removed from the end).
///
/// - Important: not detectable from the database alone: entries removed from
///   the end, or rewritten, after the last checkpoint. The verdict reports
///   them as ``AuditVerification/unsealed`` (the daemon seals its tail every
///   minute and at stop, so a large or old unsealed tail is itself a finding;
///   the journald copy is the outside witness). The username is not covered by
///   design.
public struct AuditChainVerifier {
    private let checkpoints: [AuditCheckpoint]
    private let hasher: any AuditHasher
    private let seals: any CheckpointSealVerifier
    private let checkpointInterval: Int64
    private let firstSeq: Int64
    private var checkpointBySeq: [Int64: AuditCheckpoint] = [:]
    private var previous: [UInt8]
    private var expectedSeq: Int64
    private var entries = 0
    private var firstBad: (seq: Int64, problem: String)?

    /// A verifier for a log with these stored checkpoints and `anchor` (nil:
    /// nothing was pruned), whose writer seals every `checkpointInterval`-th
    /// entry (see ``AuditChain/isScheduledCheckpoint(seq:interval:)``).
    public init(checkpoints: [AuditCheckpoint], anchor: AuditCheckpoint? = nil, hasher: any AuditHasher,
                seals: any CheckpointSealVerifier, checkpointInterval: Int) {
        precondition(checkpointInterval > 0, "checkpointInterval must be positive")
        self.checkpoints = checkpoints.sorted { $0.seq < $1.seq }
        self.hasher = hasher
        self.seals = seals
        self.checkpointInterval = Int64(checkpointInterval)
        previous = anchor?.hash ?? AuditChain.genesisHash
        expectedSeq = (anchor?.seq ?? 0) + 1
        firstSeq = expectedSeq
        for checkpoint in self.checkpoints where checkpointBySeq[checkpoint.seq] == nil {
            checkpointBySeq[checkpoint.seq] = checkpoint
        }
        if let anchor, !seals.verifies(anchor.message, seal: anchor.seal) {
            report(anchor.seq, "the anchor at \(anchor.seq) (where the retained trail starts) is forged: its seal does not verify under audit key \(anchor.seal.keyID)")
        }
    }

    /// The seq of the first retained entry (1 unless the trail was pruned).
    public var firstRetainedSeq: Int64 { firstSeq }
    /// The last entry checked and found sound, and its chain hash.
    public var verifiedHead: (seq: Int64, hash: [UInt8]) { (expectedSeq - 1, previous) }
    /// Whether every entry and checkpoint so far holds.
    public var isSound: Bool { firstBad == nil }

    /// Checks the next stored entry, and the checkpoint at its seq if any.
    public mutating func check(_ entry: AuditEntry) {
        entries += 1
        guard firstBad == nil else { return }
        if entry.seq != expectedSeq {
            if entry.seq > expectedSeq {
                let missing = entry.seq - 1 > expectedSeq ? "entries \(expectedSeq)–\(entry.seq - 1) are" : "entry \(expectedSeq) is"
                report(expectedSeq, "\(missing) missing: the next stored entry is \(entry.seq)")
            } else {
                report(entry.seq, "entry \(entry.seq) is out of order: it follows entry \(expectedSeq - 1)")
            }
            return
        }
        if entry.previousHash != previous {
            report(entry.seq, "entry \(entry.seq) does not link to entry \(entry.seq - 1): its previous hash differs (an entry was removed, inserted or reordered)")
            return
        }
        let expected = AuditChain.expectedHash(of: entry, previous: previous, using: hasher)
        if entry.hash != expected {
            report(entry.seq, "entry \(entry.seq) was altered: its hash does not match its contents")
            return
        }
        if let checkpoint = checkpointBySeq[entry.seq] {
            if checkpoint.hash != expected {
                report(entry.seq, "checkpoint \(entry.seq) does not match the chain: the entries up to \(entry.seq) were rewritten")
                return
            }
            if !seals.verifies(checkpoint.message, seal: checkpoint.seal) {
                report(entry.seq, Self.forged(checkpoint))
                return
            }
        } else if AuditChain.isScheduledCheckpoint(seq: entry.seq, interval: checkpointInterval) {
            report(entry.seq, "checkpoint \(entry.seq) is missing: one is written every \(checkpointInterval) entries, so checkpoints were deleted and the entries up to \(entry.seq) cannot be trusted")
            return
        }
        previous = expected
        expectedSeq += 1
    }

    /// Records that the stored entry `seq` cannot even be read back (a store
    /// found a value no writer produces); it counts as checked and bad.
    public mutating func checkUnreadable(seq: Int64, detail: String) {
        entries += 1
        guard firstBad == nil else { return }
        report(seq, "entry \(seq) cannot be read: \(detail)")
    }

    /// The verdict, after every entry was checked: the problem with the
    /// lowest seq, if any.
    public func finish() -> AuditVerification {
        let lastSeq = expectedSeq - 1
        var problems: [(seq: Int64, problem: String)] = firstBad.map { [$0] } ?? []
        for checkpoint in checkpoints where checkpoint.seq > lastSeq && checkpoint.seq >= firstSeq {
            if !seals.verifies(checkpoint.message, seal: checkpoint.seal) {
                problems.append((checkpoint.seq, Self.forged(checkpoint)))
            } else if firstBad == nil {
                problems.append((lastSeq + 1, "checkpoint \(checkpoint.seq) is beyond the last entry \(lastSeq): entries were removed from the end"))
            }
        }
        var result = AuditVerification(entries: entries, checkpoints: checkpoints.count)
        result.firstSeq = firstSeq
        // Sealed: up to the last checkpoint that lies on the verified chain.
        let sealedThrough = checkpoints.last { $0.seq <= lastSeq }?.seq ?? (firstSeq - 1)
        result.unsealed = Int(lastSeq - sealedThrough)
        if let first = problems.min(by: { $0.seq < $1.seq }) {
            result.firstBadSeq = first.seq
            result.problem = first.problem
        }
        return result
    }

    private static func forged(_ checkpoint: AuditCheckpoint) -> String {
        let what = checkpoint.seal.isSignature ? "signature" : "MAC"
        return "checkpoint \(checkpoint.seq) is forged: its \(what) does not verify under audit key \(checkpoint.seal.keyID)"
    }

    private mutating func report(_ seq: Int64, _ problem: String) {
        firstBad = (seq, problem)
    }
}
