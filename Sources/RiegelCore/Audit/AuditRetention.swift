/// Which entry becomes the anchor of the next bounded prune: the rule every
/// ``AuditMaintenance`` store shares.
public enum AuditRetention {
    /// The seq of the checkpoint to promote to the anchor, or nil when
    /// nothing is due.
    ///
    /// - Parameters:
    ///   - checkpoints: the stored checkpoints' seqs after the anchor, ascending.
    ///   - anchorSeq: the current anchor (0 if none).
    ///   - oldThrough: the last seq such that every entry after the anchor up to
    ///     it is timed before the cutoff (a clock step back never prunes a
    ///     young entry).
    ///   - lastSeq: the last entry, which is never pruned (the chain goes on from it).
    ///   - batchSize: about how many entries one step removes; a step removes
    ///     at least up to the first eligible checkpoint, so it always progresses.
    public static func nextAnchor(checkpoints: [Int64], anchorSeq: Int64, oldThrough: Int64, lastSeq: Int64,
                                  batchSize: Int) -> Int64? {
        let limit = min(oldThrough, lastSeq - 1)
        let eligible = checkpoints.filter { $0 > anchorSeq && $0 <= limit }
        guard let first = eligible.first else { return nil }
        return eligible.last { $0 <= anchorSeq + Int64(max(batchSize, 1)) } ?? first
    }
}
