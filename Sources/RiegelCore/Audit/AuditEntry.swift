/// An ``AuditEvent`` as stored: numbered, timed and linked into the hash chain.
///
/// - Important: `hash` is ``AuditChain/hash(previous:seq:time:event:using:)``
///   of the entry before it (`previousHash`; 32 zero bytes for seq 1). The
///   event's `username` is not covered (see ``AuditEvent/username``).
public struct AuditEntry: Sendable, Hashable {
    /// Position in the log: 1, 2, 3, ... without gaps.
    public var seq: Int64
    /// When the log recorded it (from the log's ``WallClock``).
    public var time: Instant
    /// What happened.
    public var event: AuditEvent
    /// The `hash` of entry `seq - 1` (``AuditChain/genesisHash`` for the first).
    public var previousHash: [UInt8]
    /// SHA-256 of `previousHash` and the canonical encoding of this entry.
    public var hash: [UInt8]

    /// An entry.
    public init(seq: Int64, time: Instant, event: AuditEvent, previousHash: [UInt8], hash: [UInt8]) {
        self.seq = seq
        self.time = time
        self.event = event
        self.previousHash = previousHash
        self.hash = hash
    }
}
