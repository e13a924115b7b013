/// Persists login-throttle states, so backoff and lockouts survive restarts.
///
/// Keys are opaque strings chosen by the caller, e.g. `account:<canonical
/// username>` (also for usernames that do not exist) and `ip:<address>`.
public protocol ThrottleStore: Sendable {
    /// The state for `key`, if one is stored.
    func state(for key: String) throws -> ThrottleState?
    /// Stores `state` for `key` (replacing any).
    func save(_ state: ThrottleState, for key: String) throws
    /// Reads the states of `keys` (a fresh state where none is stored), lets
    /// `body` change them, and stores those it changed, as one atomic step:
    /// no other update or save of these keys, by any call or process, falls
    /// between the read and the write (issue 11, item 2). If `body` throws,
    /// nothing is stored.
    ///
    /// - Important: `body` is synchronous and must not call the store.
    func update<T>(_ keys: [String], _ body: (inout [ThrottleState]) throws -> T) throws -> T
    /// Forgets `key`.
    func remove(_ key: String) throws
    /// Forgets every state not saved for more than `seconds` (by the store's
    /// own clock); returns how many. Housekeeping: keys for unknown names and
    /// client addresses would otherwise pile up for ever.
    @discardableResult
    func removeStale(unsavedFor seconds: Double) throws -> Int
}
