/// The audit writes besides appending: blanking a deleted account's username,
/// sealing the chain on demand, and pruning old entries behind a signed anchor.
public protocol AuditMaintenance: Sendable {
    /// Blanks the readable username of every entry of `userID` (account
    /// deletion); returns how many entries changed. The user id, and so the
    /// chain, stays intact: the user's entries stay findable by id and
    /// ``AuditReader/verify()`` stays ok.
    @discardableResult
    func forgetUsername(of userID: UserID) throws -> Int
    /// Seals the chain at its last entry now (e.g. at shutdown or before a
    /// backup) and returns the checkpoint; nil if the log is empty or the last
    /// entry is already sealed.
    @discardableResult
    func checkpoint() throws -> AuditCheckpoint?
    /// Prunes the oldest entries timed before `cutoff`, at most about
    /// `batchSize` of them: the last checkpoint in that range (whose seal is
    /// checked first) becomes the trail's anchor, and the entries and
    /// checkpoints up to it are deleted, in one transaction. The last entry is
    /// never pruned. Returns what was done; nil when nothing is due.
    func prune(before cutoff: Instant, batchSize: Int) throws -> AuditPrune?
}
