import RiegelRPC
import Synchronization

/// The current role table; a config reload swaps it while calls keep reading it.
final class AuthorizerHolder: Sendable {
    private let current: Mutex<RoleAuthorizer>

    init(_ authorizer: RoleAuthorizer) {
        current = Mutex(authorizer)
    }

    /// The table in force.
    func get() -> RoleAuthorizer {
        current.withLock { $0 }
    }

    /// Puts `authorizer` in force for every later call.
    func replace(with authorizer: RoleAuthorizer) {
        current.withLock { $0 = authorizer }
    }
}
