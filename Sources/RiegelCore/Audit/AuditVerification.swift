/// The result of walking the audit chain and its checkpoints.
public struct AuditVerification: Sendable, Hashable {
    /// Entries walked.
    public var entries: Int
    /// Checkpoints checked.
    public var checkpoints: Int
    /// The first sequence number found wrong (missing, edited, out of order,
    /// or sealed by a bad checkpoint); nil when everything holds.
    public var firstBadSeq: Int64?
    /// What was wrong at `firstBadSeq`, for the security team; nil when ok.
    public var problem: String?
    /// Entries after the last checkpoint (of the chain verified so far): the
    /// file alone cannot show whether they were removed or rewritten. Not a
    /// failure by itself; the daemon seals its tail every minute and at stop.
    public var unsealed: Int
    /// The seq of the first retained entry: 1, or the one after the signed
    /// anchor once `[audit] retention` pruned older entries.
    public var firstSeq: Int64 = 1

    /// Whether the chain and every checkpoint hold.
    public var ok: Bool { problem == nil }

    /// A result.
    public init(entries: Int, checkpoints: Int, firstBadSeq: Int64? = nil, problem: String? = nil, unsealed: Int = 0) {
        self.entries = entries
        self.checkpoints = checkpoints
        self.unsealed = unsealed
        self.firstBadSeq = firstBadSeq
        self.problem = problem
    }
}
