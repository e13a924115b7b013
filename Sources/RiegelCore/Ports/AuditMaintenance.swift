/// The audit writes besides appending: blanking a deleted account's username,
/// and sealing the chain on demand.
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
}
