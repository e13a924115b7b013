/// A prune found the stretch it would remove broken (the anchor, an entry,
/// or the checkpoint it would anchor at does not verify): nothing is
/// deleted, so the evidence stays for `Audit.Verify`.
public struct AuditPruneRefused: Error, Sendable, Hashable, CustomStringConvertible {
    /// The first bad seq.
    public var seq: Int64
    /// What is wrong there.
    public var problem: String

    /// A refusal at `seq`.
    public init(seq: Int64, problem: String) {
        self.seq = seq
        self.problem = problem
    }

    public var description: String {
        "audit retention stopped at seq \(seq), nothing pruned: \(problem); run riegelctl audit verify"
    }
}
