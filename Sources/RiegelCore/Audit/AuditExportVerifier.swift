/// Checks an audit export record by record, with public keys only: what
/// `riegelctl audit verify FILE --public-key KEY` runs, and what
/// docs/tools/verify_audit_export.py does in Python.
///
/// Detected, each at the first bad seq: a start that is not signed, an
/// edited entry (hash mismatch), a deleted, inserted or reordered entry (seq
/// out of order or a broken link), a checkpoint or head that does not match
/// the chain or whose signature does not verify, records after the head, and
/// a truncated tail (no head). The username is outside the chain by design.
public struct AuditExportVerifier {
    private let hasher: any AuditHasher
    private let seals: any CheckpointSealVerifier
    private var expected: Int64?
    private var previous = AuditChain.genesisHash
    private var firstSeq: Int64 = 1
    private var headSeq: Int64?
    private var entries = 0
    private var checkpoints = 0
    private var firstBad: (seq: Int64, problem: String)?

    /// A verifier trusting `seals` (the given public keys).
    public init(hasher: any AuditHasher, seals: any CheckpointSealVerifier) {
        self.hasher = hasher
        self.seals = seals
    }

    /// Checks the next record; `line` (1-based) names it in problems.
    public mutating func check(_ record: AuditExportRecord, line: Int) {
        guard firstBad == nil else { return }
        if let headSeq {
            return report(headSeq + 1, "line \(line) follows the head line: records were added after the export ended")
        }
        guard let next = expected else {
            guard case .start(let seq, let hash, let seal) = record else {
                return report(0, "line \(line): an export starts with a \(AuditExportRecord.format) start line")
            }
            let genesis = seq == 0 && hash == AuditChain.genesisHash
            if !genesis {
                let message = AuditChain.checkpointMessage(seq: seq, hash: hash)
                guard let seal, seal.isSignature, seals.verifies(message, seal: seal) else {
                    return report(seq, "the start line (seq \(seq)) is not signed by a given key")
                }
            }
            previous = hash
            expected = seq + 1
            firstSeq = seq + 1
            return
        }
        switch record {
        case .start:
            report(next, "line \(line): a second start line")
        case .entry(let entry):
            guard entry.seq == next else {
                let what = entry.seq > next ? "entry \(next) is missing" : "it is out of order or inserted"
                return report(min(entry.seq, next), "line \(line) holds entry \(entry.seq) where \(next) was due: \(what)")
            }
            guard entry.previousHash == previous else {
                return report(entry.seq, "entry \(entry.seq) does not link to entry \(entry.seq - 1)")
            }
            let computed = AuditChain.expectedHash(of: entry, previous: previous, using: hasher)
            guard computed == entry.hash else {
                return report(entry.seq, "entry \(entry.seq) was altered: its hash does not match its contents")
            }
            previous = computed
            expected = next + 1
            entries += 1
        case .checkpoint(let checkpoint), .head(let checkpoint):
            let kind = if case .head = record { "head" } else { "checkpoint" }
            guard checkpoint.seq == next - 1, checkpoint.hash == previous else {
                return report(min(checkpoint.seq, next), "line \(line): \(kind) \(checkpoint.seq) does not match the chain at entry \(next - 1)")
            }
            guard checkpoint.seal.isSignature, seals.verifies(checkpoint.message, seal: checkpoint.seal) else {
                return report(checkpoint.seq, "\(kind) \(checkpoint.seq): its signature does not verify under a given key")
            }
            if kind == "head" { headSeq = checkpoint.seq } else { checkpoints += 1 }
        }
    }

    /// Records a line that is not a record at all (bad JSON, a missing field).
    public mutating func unreadable(line: Int, detail: String) {
        guard firstBad == nil else { return }
        report(expected ?? 0, "line \(line) is not an export record: \(detail)")
    }

    /// The verdict after the last line.
    public func finish() -> AuditVerification {
        var result = AuditVerification(entries: entries, checkpoints: checkpoints)
        result.firstSeq = firstSeq
        if let firstBad {
            result.firstBadSeq = firstBad.seq
            result.problem = firstBad.problem
        } else if expected == nil {
            result.firstBadSeq = 0
            result.problem = "the export is empty"
        } else if headSeq == nil {
            result.firstBadSeq = expected
            result.problem = "the export is truncated after entry \(expected! - 1): no signed head line"
        }
        return result
    }

    private mutating func report(_ seq: Int64, _ problem: String) {
        firstBad = (seq, problem)
    }
}
