import NIOCore
import NIOPosix

/// A typed async client of riegeld: `io.riegel.Auth` for portal back ends,
/// `io.riegel.Admin` and `io.riegel.Audit` for administrators and the security
/// team (each needs its peer role in riegeld's config).
///
/// ```swift
/// let riegel = RiegelClient(socketPath: "/run/riegel/riegel.sock")
/// let reply = try await riegel.auth.login(username: "alice", password: password,
///                                         client: ClientInfo(ip: "203.0.113.7"))
/// if let session = reply.session { ... } else if let challenge = reply.challenge { ... }
/// await riegel.close()
/// ```
///
/// Make one per process and share it: it is `Sendable`, and its calls from any
/// number of tasks share up to `maxConnections` connections. Each call has a
/// connection to itself while it runs (riegeld answers a connection's calls in
/// order, so a slow login would otherwise hold up the session checks behind
/// it); connections are opened on first use and kept. Failures throw
/// ``RiegelClientError``; a cancelled task's call throws `CancellationError`.
public final class RiegelClient: Sendable {
    let pool: RiegelConnectionPool

    /// Creates a client of the riegeld listening at `socketPath` (a path, or
    /// `unix:/path`). Nothing connects until the first call.
    ///
    /// - Parameters:
    ///   - socketPath: riegeld's socket (`[daemon] socket_path`, by default `/run/riegel/riegel.sock`).
    ///   - maxConnections: how many calls may run at once (at least 1); more wait
    ///     for a connection. riegeld limits connections per uid too
    ///     (`max_connections_per_uid`, 256 by default).
    ///   - eventLoopGroup: the SwiftNIO group for the sockets; `nil` uses
    ///     `MultiThreadedEventLoopGroup.singleton`.
    public init(socketPath: String, maxConnections: Int = 4, eventLoopGroup: (any EventLoopGroup)? = nil) {
        pool = RiegelConnectionPool(socketPath: socketPath, maxConnections: maxConnections,
                                    group: eventLoopGroup ?? MultiThreadedEventLoopGroup.singleton)
    }

    /// The portal methods (`io.riegel.Auth`).
    public var auth: AuthClient { AuthClient(pool: pool) }

    /// The administrators' methods (`io.riegel.Admin`).
    public var admin: AdminClient { AdminClient(pool: pool) }

    /// The security team's methods (`io.riegel.Audit`).
    public var audit: AuditClient { AuditClient(pool: pool) }

    /// Closes every connection. Calls still running, and every later call, throw
    /// ``RiegelClientError/connectionFailed(reason:)``.
    public func close() async {
        await pool.close()
    }
}
