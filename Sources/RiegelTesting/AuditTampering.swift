import RiegelCore

/// What an attacker with write access to an audit log's storage can do,
/// bypassing the ports (for SQLite: the raw file, triggers dropped). The
/// ``AuditLogConformance`` suite uses it to prove that ``AuditReader/verify()``
/// catches each kind of tampering.
public protocol AuditTampering {
    /// Changes the (chained) type of entry `seq`, leaving its stored hash.
    func editType(atSeq seq: Int64, to type: String) throws
    /// Removes entry `seq`.
    func deleteEntry(seq: Int64) throws
    /// Exchanges the seq numbers of two entries (their contents swap places).
    func swapSeq(_ first: Int64, _ second: Int64) throws
    /// Removes every entry after `seq`, keeping every checkpoint.
    func truncate(after seq: Int64) throws
    /// Removes every checkpoint (as an attacker does before rewriting the chain).
    func deleteCheckpoints() throws
    /// Flips a bit of the seal (signature) of checkpoint `seq`.
    func forgeCheckpointSeal(atSeq seq: Int64) throws
    /// Flips a bit of the anchor's seal.
    func forgeAnchorSeal() throws
    /// Stores `checkpoint` as written before signatures (its seal an HMAC),
    /// replacing the one at its seq.
    func storeLegacyCheckpoint(_ checkpoint: AuditCheckpoint) throws
    /// Removes every entry from `entries.first.seq` on and stores `entries`
    /// instead (a rewrite with recomputed hashes).
    func replaceEntries(with entries: [AuditEntry]) throws
}
