/// Persists login-throttle states, so backoff and lockouts survive restarts.
///
/// Keys are opaque strings chosen by the caller, e.g. `account:<canonical
/// username>` (also for usernames that do not exist) and `ip:<address>`.
public protocol ThrottleStore: Sendable {
    /// The state for `key`, if one is stored.
    func state(for key: String) throws -> ThrottleState?
    /// Stores `state` for `key` (replacing any).
    func save(_ state: ThrottleState, for key: String) throws
    /// Forgets `key`.
    func remove(_ key: String) throws
    /// Forgets every state not saved for more than `seconds` (by the store's
    /// own clock); returns how many. Housekeeping: keys for unknown names and
    /// client addresses would otherwise pile up for ever.
    @discardableResult
    func removeStale(unsavedFor seconds: Double) throws -> Int
}
