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
}
