/// One bounded step of audit retention: the new anchor and how many entries
/// went with it.
public struct AuditPrune: Sendable, Hashable {
    /// The signed last pruned entry, where the retained trail now starts.
    public var anchor: AuditCheckpoint
    /// Entries deleted in this step.
    public var removed: Int

    /// A step.
    public init(anchor: AuditCheckpoint, removed: Int) {
        self.anchor = anchor
        self.removed = removed
    }
}
