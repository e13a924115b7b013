/// The re-wrap of one purpose after a rotation: its progress, as stored in
/// the database so that it resumes after a restart or a `kill -9`.
///
/// There is at most one per purpose (the latest); a new rotation of the
/// purpose replaces a finished or failed one and is refused while one runs.
public struct KeyRewrap: Sendable, Hashable {
    /// The purpose whose rows move.
    public var purpose: KeyPurpose
    /// The key the rows move to (the purpose's active key when the job started).
    public var keyID: KeyID
    /// Where the job is.
    public var state: KeyRewrapState
    /// Rows moved so far.
    public var processed: Int
    /// Rows under older keys when the job started (a row sealed under the old
    /// key by a request in flight during the rotation may add to `processed`
    /// beyond it).
    public var total: Int
    /// When the rotation happened.
    public var startedAt: Instant
    /// When the job last wrote progress.
    public var updatedAt: Instant
    /// Why it failed: a row's table and id and the kind of error, never a value.
    public var problem: String?

    /// A job.
    public init(purpose: KeyPurpose, keyID: KeyID, state: KeyRewrapState, processed: Int, total: Int,
                startedAt: Instant, updatedAt: Instant, problem: String? = nil) {
        self.purpose = purpose
        self.keyID = keyID
        self.state = state
        self.processed = processed
        self.total = total
        self.startedAt = startedAt
        self.updatedAt = updatedAt
        self.problem = problem
    }
}
