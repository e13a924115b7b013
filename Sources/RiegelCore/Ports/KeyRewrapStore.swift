/// The rows behind the keys: how many reference each key, the long-lived
/// ones still under older keys, and the re-wrap jobs' progress. Used by the
/// key administration use cases only.
///
/// - Important: every method is async and must not block the caller's
///   thread with database I/O (a re-wrap runs beside logins).
public protocol KeyRewrapStore: Sendable {
    /// How many stored rows reference each key, counted from the rows:
    /// long-lived ones (accounts, audit checkpoints) always, short-lived ones
    /// (unredeemed activation codes, pending SMS challenges, queued messages)
    /// while live at `now`.
    /// A row that references a key in several columns counts once for it.
    func usage(now: Instant) async throws -> [KeyID: Int]
    /// How many long-lived values of `purpose` are under a key older than `current`.
    func staleCount(_ purpose: KeyPurpose, current: KeyID) async throws -> Int
    /// Up to `limit` long-lived values of `purpose` under keys older than `current`.
    func staleSecrets(_ purpose: KeyPurpose, current: KeyID, limit: Int) async throws -> [StaleSecret]
    /// Writes each replacement whose stored value is still its `stale` one, and
    /// `progress` (with `processed` raised by the number written), in one
    /// short transaction; returns the saved progress.
    func replace(_ replacements: [RewrappedSecret], progress: KeyRewrap) async throws -> KeyRewrap
    /// The latest re-wrap of every purpose that had one.
    func rewraps() async throws -> [KeyRewrap]
    /// Saves `rewrap` as its purpose's latest.
    func save(_ rewrap: KeyRewrap) async throws
    /// Runs `body` unless another holder (on a shared store: another riegeld
    /// instance) runs `purpose`'s re-wrap now; returns whether it ran. The
    /// claim ends when `body` returns or the holder dies, so a job left by a
    /// crashed instance is resumed by another.
    func exclusively(_ purpose: KeyPurpose, _ body: @Sendable () async throws -> Void) async throws -> Bool
    /// Retires key `id` if no row references it (checked in the same
    /// transaction): its state becomes `retired` and its wrapped material is
    /// erased from the stored row. Returns whether the store also emptied
    /// its write-ahead log of the old row (SQLite: if no reader held it open;
    /// PostgreSQL: never promised, see `PostgresKeyRewrapStore`).
    /// - Throws: ``KeyRewrapStoreError``.
    func retire(_ id: KeyID, now: Instant) async throws -> Bool
}
