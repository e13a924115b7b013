/// What the RPC layer needs from the daemon to answer riegel's methods.
///
/// Each use case is a closure, so the RPC layer depends on behaviour, not on
/// concrete services; the composition root fills them in.
public struct RiegelMethods: Sendable {
    /// The daemon's current status (`io.riegel.Admin.Status`).
    public var status: @Sendable () -> DaemonStatus

    /// Binds the use cases.
    public init(status: @escaping @Sendable () -> DaemonStatus) {
        self.status = status
    }
}
