/// The credentials of the process at the other end of a Unix socket (`SO_PEERCRED`,
/// `SO_PEERGROUPS`), as they were when it connected.
public struct PeerCredentials: Sendable, Hashable {
    /// Process id of the peer.
    public var pid: Int32
    /// Effective user id of the peer.
    public var uid: UInt32
    /// Effective group id of the peer.
    public var gid: UInt32
    /// The peer's supplementary groups as the kernel reported them (`SO_PEERGROUPS`), or
    /// nil when it could not say (more groups than the server reads, or no such option).
    public var groups: Set<UInt32>?

    /// Creates peer credentials.
    public init(pid: Int32, uid: UInt32, gid: UInt32, groups: Set<UInt32>? = nil) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
        self.groups = groups
    }

    /// Placeholder used when the transport cannot tell (pid 0, uid/gid `UInt32.max`).
    public static let unknown = PeerCredentials(pid: 0, uid: .max, gid: .max)
}
