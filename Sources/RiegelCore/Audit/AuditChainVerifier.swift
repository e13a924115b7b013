/// Walks a stored audit chain entry by entry (so a store can stream rows)
/// and then checks the checkpoints: the one verification every ``AuditReader``
/// uses.
///
/// Feed every stored entry in ascending seq order with ``check(_:)``, then
/// call ``finish()``. Detected: an edited chained field, a missing entry (seq
/// gap), entries out of order, a renumbered or re-linked entry, a missing
/// scheduled checkpoint (one is due at every multiple of the writer's
/// checkpoint interval, so deleting checkpoints before rewriting the chain is
/// caught), a checkpoint whose hash differs from the recomputed chain
/// (entries up to it rewritten), a checkpoint whose MAC does not verify under
/// the audit key (forged), and a checkpoint beyond the last entry (entries
/// removed from the end).
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
    private let digester: any KeyedDigester
    private let checkpointInterval: Int64
    private var checkpointBySeq: [Int64: AuditCheckpoint] = [:]
    private var previous = AuditChain.genesisHash
    private var expectedSeq: Int64 = 1
    private var entries = 0
    private var firstBad: (seq: Int64, problem: String)?

    /// A verifier for a log with these stored checkpoints, whose writer seals
    /// every `checkpointInterval`-th entry (see ``AuditChain/isScheduledCheckpoint(seq:interval:)``).
    public init(checkpoints: [AuditCheckpoint], hasher: any AuditHasher, digester: any KeyedDigester,
                checkpointInterval: Int) {
        precondition(checkpointInterval > 0, "checkpointInterval must be positive")
        self.checkpoints = checkpoints.sorted { $0.seq < $1.seq }
        self.hasher = hasher
        self.digester = digester
        self.checkpointInterval = Int64(checkpointInterval)
        for checkpoint in self.checkpoints where checkpointBySeq[checkpoint.seq] == nil {
            checkpointBySeq[checkpoint.seq] = checkpoint
        }
    }

    /// Checks the next stored entry.
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
        if let checkpoint = checkpointBySeq[entry.seq], checkpoint.hash != expected {
            report(entry.seq, "checkpoint \(entry.seq) does not match the chain: the entries up to \(entry.seq) were rewritten")
            return
        }
        if checkpointBySeq[entry.seq] == nil,
           AuditChain.isScheduledCheckpoint(seq: entry.seq, interval: checkpointInterval) {
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
        for checkpoint in checkpoints {
            let message = AuditChain.checkpointMessage(seq: checkpoint.seq, hash: checkpoint.hash)
            if !digester.matches(message, digest: checkpoint.mac, purpose: .audit) {
                problems.append((checkpoint.seq, "checkpoint \(checkpoint.seq) is forged: its MAC does not verify under audit key \(checkpoint.mac.keyID)"))
            } else if firstBad == nil, checkpoint.seq > lastSeq {
                problems.append((lastSeq + 1, "checkpoint \(checkpoint.seq) is beyond the last entry \(lastSeq): entries were removed from the end"))
            }
        }
        var result = AuditVerification(entries: entries, checkpoints: checkpoints.count)
        // Sealed: up to the last checkpoint that lies on the verified chain.
        let sealedThrough = checkpoints.last { $0.seq <= lastSeq }?.seq ?? 0
        result.unsealed = Int(lastSeq - sealedThrough)
        if let first = problems.min(by: { $0.seq < $1.seq }) {
            result.firstBadSeq = first.seq
            result.problem = first.problem
        }
        return result
    }

    private mutating func report(_ seq: Int64, _ problem: String) {
        firstBad = (seq, problem)
    }
}
