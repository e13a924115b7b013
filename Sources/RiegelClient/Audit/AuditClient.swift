/// The methods of `io.riegel.Audit`, one async method per IDL method, over the
/// shared connections of a ``RiegelClient`` (get it from ``RiegelClient/audit``).
public struct AuditClient: Sendable {
    let pool: RiegelConnectionPool

    /// With more=true streams the matching events, oldest first: all of them,
    /// or with limit the newest N; with follow it then keeps streaming new events
    /// as they happen. When nothing matches, the one final reply has no event.
    ///
    /// - Parameters:
    ///   - filter: which entries (absent: all)
    ///   - limit: only the newest this many
    ///   - follow: keep streaming new events as they happen
    /// - Returns: the replies as they come, ending with the final one; iterating
    ///   throws ``RiegelClientError`` (or `CancellationError`). The call holds one
    ///   connection until the stream ends; stopping early closes that connection.
    public func query(filter: Filter? = nil, limit: Int? = nil, follow: Bool? = nil) -> AsyncThrowingStream<QueryReply, any Error> {
        pool.stream(QueryRequest(filter: filter, limit: limit, follow: follow))
    }

    /// Walks the chain and its checkpoints. A checkpoint is due every 100 entries:
    /// a missing one fails the verification (checkpoints were deleted). `unsealed`
    /// counts the entries after the last checkpoint, which the file alone cannot
    /// vouch for; riegeld seals its tail every minute and when it stops.
    /// first_seq is where the retained trail starts: 1, or the entry after the
    /// signed anchor once [audit] retention pruned older entries.
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func verify() async throws -> VerifyReply {
        try await pool.call(VerifyRequest())
    }

    /// Streams (more=true) an export of the entries timed from since to until
    /// (RFC 3339, either may be absent; every entry between the first and the
    /// last match is included, so the export is a contiguous stretch of the
    /// chain): first a reply with start (the signed hash before the first entry),
    /// then one reply per entry (event) and per stored checkpoint (checkpoint,
    /// right after its entry), and last one with head, signed now over the last
    /// entry. riegeld verifies the stored chain on the way and signs only what
    /// verified: if it does not, the call ends with ChainBroken and no head.
    /// `riegelctl audit export` writes the replies as JSON lines.
    ///
    /// - Parameters:
    ///   - since: an RFC 3339 time (absent: from the first entry)
    ///   - until: an RFC 3339 time (absent: to the last entry)
    /// - Returns: the replies as they come, ending with the final one; iterating
    ///   throws ``RiegelClientError`` (or `CancellationError`). The call holds one
    ///   connection until the stream ends; stopping early closes that connection.
    public func export(since: String? = nil, until: String? = nil) -> AsyncThrowingStream<ExportReply, any Error> {
        pool.stream(ExportRequest(since: since, until: until))
    }

    /// The public halves of the audit signing keys, active first: what the
    /// security team verifies exports with (riegelctl audit public-key).
    /// - Throws: ``RiegelClientError``, or `CancellationError` when the task is cancelled.
    public func publicKeys() async throws -> PublicKeysReply {
        try await pool.call(PublicKeysRequest())
    }
}
