import RiegelCore

/// Exports a stretch of the audit trail that anyone with the audit public
/// key can check offline (`io.riegel.Audit.Export`).
///
/// It walks the retained chain from its anchor, verifying every entry and
/// checkpoint as it goes (``AuditChainVerifier``), and emits the records of
/// the requested seqs: a signed start (the hash before the first entry), the
/// entries with their stored signed checkpoints, and a head signed now over
/// the last entry. It signs only what it has just verified: a stored chain
/// that does not verify ends the export with ``RiegelError/auditChainBroken(firstBadSeq:problem:)``
/// before the head, so a tampered trail is never laundered into a signed
/// export (an unsealed tail is signed as found, as the minute seal would).
public struct AuditExporter: Sendable {
    let reader: any AuditReader
    let sealer: any CheckpointSealer
    let hasher: any AuditHasher
    let checkpointInterval: Int
    let audit: AuditRecorder
    /// Entries read per query.
    let pageSize: Int

    /// An exporter over `reader`, signing with `sealer`; the interval is the
    /// writer's (see ``AuditChain/isScheduledCheckpoint(seq:interval:)``).
    public init(reader: any AuditReader, sealer: any CheckpointSealer, hasher: any AuditHasher,
                checkpointInterval: Int, audit: AuditRecorder, pageSize: Int = 500) {
        self.reader = reader
        self.sealer = sealer
        self.hasher = hasher
        self.checkpointInterval = checkpointInterval
        self.audit = audit
        self.pageSize = max(1, pageSize)
    }

    /// Emits the export of the entries timed from `since` to `until` (see
    /// ``AuditReader/seqRange(since:until:)``), in order, then records
    /// `audit.exported`.
    public func export(since: Instant?, until: Instant?,
                       emit: (AuditExportRecord) async throws -> Void) async throws {
        guard let range = try reader.seqRange(since: since, until: until) else {
            throw RiegelError.invalidFilter(reason: "no audit entries between since and until")
        }
        let anchor = try reader.anchor()
        let anchorSeq = anchor?.seq ?? 0
        let checkpoints = try reader.checkpoints(in: (anchorSeq + 1)...range.upperBound)
        let signed = Dictionary(checkpoints.filter(\.seal.isSignature).map { ($0.seq, $0) }) { first, _ in first }
        var verifier = AuditChainVerifier(checkpoints: checkpoints, anchor: anchor, hasher: hasher, seals: sealer,
                                          checkpointInterval: checkpointInterval)
        var cursor = anchorSeq
        walk: while true {
            let page = try reader.entries(after: cursor, matching: AuditFilter(), limit: pageSize)
            if page.isEmpty { break }
            for entry in page {
                if entry.seq > range.upperBound { break walk }
                let before = verifier.verifiedHead
                verifier.check(entry)
                try stopIfBroken(verifier, range)
                if entry.seq == range.lowerBound {
                    try await emit(start(before: before, anchor: anchor))
                }
                if entry.seq >= range.lowerBound {
                    try await emit(.entry(entry))
                    if let checkpoint = signed[entry.seq] { try await emit(.checkpoint(checkpoint)) }
                }
                cursor = entry.seq
            }
        }
        let verdict = verifier.finish()
        if let seq = verdict.firstBadSeq {
            throw refusal(seq, verdict.problem ?? "the chain does not verify", range)
        }
        let head = verifier.verifiedHead
        guard head.seq == range.upperBound else {
            throw refusal(head.seq + 1, "entries up to \(range.upperBound) were expected; the chain ends at \(head.seq)", range)
        }
        try await emit(.head(sealer.checkpoint(seq: head.seq, hash: head.hash)))
        audit.record(.auditExported, .success, details: ["first_seq": "\(range.lowerBound)", "last_seq": "\(range.upperBound)"])
    }

    /// The start record: the genesis, the stored anchor when the export
    /// begins right after it, or a signature made now over the verified hash
    /// before the first entry.
    private func start(before: (seq: Int64, hash: [UInt8]), anchor: AuditCheckpoint?) -> AuditExportRecord {
        if before.seq == 0 { return .start(seq: 0, hash: AuditChain.genesisHash, seal: nil) }
        if let anchor, anchor.seq == before.seq, anchor.seal.isSignature {
            return .start(seq: anchor.seq, hash: anchor.hash, seal: anchor.seal)
        }
        let fresh = sealer.checkpoint(seq: before.seq, hash: before.hash)
        return .start(seq: fresh.seq, hash: fresh.hash, seal: fresh.seal)
    }

    private func stopIfBroken(_ verifier: AuditChainVerifier, _ range: ClosedRange<Int64>) throws {
        guard !verifier.isSound else { return }
        let verdict = verifier.finish()
        throw refusal(verdict.firstBadSeq ?? 0, verdict.problem ?? "the chain does not verify", range)
    }

    /// Records the refused export and returns the error that ends it.
    private func refusal(_ seq: Int64, _ problem: String, _ range: ClosedRange<Int64>) -> RiegelError {
        audit.record(.auditExported, .failure, reason: "chain_broken", details: [
            "first_seq": "\(range.lowerBound)", "last_seq": "\(range.upperBound)", "first_bad_seq": "\(seq)"])
        return .auditChainBroken(firstBadSeq: seq, problem: problem)
    }
}
