/// The credentials of the process at the other end of a Unix socket (`SO_PEERCRED`),
/// as they were when it connected.
public struct PeerCredentials: Sendable, Hashable {
    /// Process id of the peer.
    public var pid: Int32
    /// Effective user id of the peer.
    public var uid: UInt32
    /// Effective group id of the peer.
    public var gid: UInt32

    /// Creates peer credentials.
    public init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }

    /// Placeholder used when the transport cannot tell (pid 0, uid/gid `UInt32.max`).
    public static let unknown = PeerCredentials(pid: 0, uid: .max, gid: .max)
}
