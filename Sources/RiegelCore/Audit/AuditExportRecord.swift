/// One record of an audit export, in the order an export holds them: a
/// start, the entries (each stored checkpoint right after its entry), a head.
///
/// The JSON-lines form (one record per line) is specified in
/// docs/audit-export.md.
public enum AuditExportRecord: Sendable, Hashable {
    /// Where the export starts: the seq and hash before its first entry,
    /// signed (nil seal only for the genesis: seq 0, 32 zero bytes).
    case start(seq: Int64, hash: [UInt8], seal: CheckpointSeal?)
    /// An entry of the chain.
    case entry(AuditEntry)
    /// A stored signed checkpoint, right after the entry it seals.
    case checkpoint(AuditCheckpoint)
    /// The last entry's seq and hash, signed when the export was made.
    case head(AuditCheckpoint)

    /// The version tag of the export format; a new format needs a new tag.
    public static let format = "riegel-audit-export-v1"
}
