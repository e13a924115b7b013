/// The hash-chain rule of the audit trail, as pure functions.
///
/// `hash = SHA-256(previousHash || canonical(seq, time, type, outcome, user_id,
/// reason, peer_uid, peer_pid, client_ip, user_agent, details sorted by key))`.
/// The first entry's `previousHash` is ``genesisHash``.
///
/// The canonical encoding starts with the tag `riegel-audit-v1`, then each
/// field in that order: an optional field is a `0` byte when absent, or a `1`
/// byte and its value; a string is its UTF-8 length (4 bytes, big-endian) and
/// bytes; integers are 8 bytes big-endian (two's complement); the time is the
/// IEEE-754 bit pattern of its seconds since the epoch, big-endian; details are
/// their count and then key, value pairs ordered by the keys' UTF-8 bytes. So
/// two different entries never share an encoding.
///
/// - Important: the username is deliberately NOT encoded: it is blanked when
///   its account is deleted, and that must not break the chain. Never change
///   the encoding of shipped entries; a new one needs a new tag.
public enum AuditChain {
    /// The `previousHash` of the first entry: 32 zero bytes.
    public static let genesisHash = [UInt8](repeating: 0, count: 32)

    /// Domain tag that starts every canonical encoding.
    static let entryTag = Array("riegel-audit-v1".utf8)
    /// Domain tag that starts every checkpoint message.
    static let checkpointTag = Array("riegel-audit-checkpoint-v1".utf8)

    /// The chain hash of an entry with these fields following `previous`.
    public static func hash(previous: [UInt8], seq: Int64, time: Instant, event: AuditEvent,
                            using hasher: any AuditHasher) -> [UInt8] {
        hasher.sha256(previous + canonicalEncoding(seq: seq, time: time, event: event))
    }

    /// The chain hash `entry` should have, recomputed from its fields and `previous`.
    public static func expectedHash(of entry: AuditEntry, previous: [UInt8], using hasher: any AuditHasher) -> [UInt8] {
        hash(previous: previous, seq: entry.seq, time: entry.time, event: entry.event, using: hasher)
    }

    /// The entry for `event`, numbered `seq` and timed `time`, linked after `previous`.
    public static func entry(for event: AuditEvent, seq: Int64, time: Instant, previous: [UInt8],
                             using hasher: any AuditHasher) -> AuditEntry {
        AuditEntry(seq: seq, time: time, event: event, previousHash: previous,
                   hash: hash(previous: previous, seq: seq, time: time, event: event, using: hasher))
    }

    /// The bytes a checkpoint's seal (Ed25519 signature, or legacy HMAC) is
    /// made over: tag, seq (8 bytes big-endian), hash. Stored checkpoints, the
    /// anchor of a pruned trail and both ends of an export all use it.
    public static func checkpointMessage(seq: Int64, hash: [UInt8]) -> [UInt8] {
        var out = checkpointTag
        appendInteger(seq, to: &out)
        out += hash
        return out
    }

    /// Whether a writer that seals every `interval`-th entry must have written
    /// a checkpoint at `seq`: writers and ``AuditChainVerifier`` share this rule.
    public static func isScheduledCheckpoint(seq: Int64, interval: Int64) -> Bool {
        seq > 0 && seq % interval == 0
    }

    /// The canonical encoding of the chained fields (see the type's summary).
    public static func canonicalEncoding(seq: Int64, time: Instant, event: AuditEvent) -> [UInt8] {
        var out = entryTag
        appendInteger(seq, to: &out)
        appendInteger(Int64(bitPattern: time.secondsSinceEpoch.bitPattern), to: &out)
        appendString(event.type, to: &out)
        appendString(event.outcome.rawValue, to: &out)
        appendOptional(event.userID?.rawValue, to: &out, appendString)
        appendOptional(event.reason, to: &out, appendString)
        appendOptional(event.peerUID.map(Int64.init), to: &out, appendInteger)
        appendOptional(event.peerPID.map(Int64.init), to: &out, appendInteger)
        appendOptional(event.clientIP, to: &out, appendString)
        appendOptional(event.userAgent, to: &out, appendString)
        let details = event.details.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
        appendInteger(Int64(details.count), to: &out)
        for (key, value) in details {
            appendString(key, to: &out)
            appendString(value, to: &out)
        }
        return out
    }

    private static func appendOptional<T>(_ value: T?, to out: inout [UInt8], _ append: (T, inout [UInt8]) -> Void) {
        guard let value else { out.append(0); return }
        out.append(1)
        append(value, &out)
    }

    private static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { out.append(contentsOf: $0) }
    }

    private static func appendString(_ value: String, to out: inout [UInt8]) {
        let bytes = Array(value.utf8)
        withUnsafeBytes(of: UInt32(truncatingIfNeeded: bytes.count).bigEndian) { out.append(contentsOf: $0) }
        out += bytes
    }
}
