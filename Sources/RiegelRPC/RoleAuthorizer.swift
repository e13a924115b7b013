import Logging
import Synchronization
import Varlink

/// Decides whether a varlink peer, known by SO_PEERCRED, holds a role.
///
/// `uid:` and `user:` principals match the peer's uid; `group:` principals
/// match its primary gid or one of its supplementary groups as the kernel
/// reported them at connect (`SO_PEERGROUPS`), so a process that dropped a group
/// does not keep its rights. Only when the kernel could not list them (more than
/// the server reads) are the groups the user database lists for the uid used.
/// Names are resolved once, when the table is built (again on reload).
/// - Important: this is security rule 8. A peer matches nothing unless a
///   principal names it; an unknown user or group name matches nobody.
public final class RoleAuthorizer: Sendable {
    /// The resolved members of one role.
    public struct Members: Sendable, Equatable {
        /// Peers with one of these uids hold the role.
        public var uids: Set<UInt32> = []
        /// Peers whose primary or supplementary groups include one of these hold the role.
        public var gids: Set<UInt32> = []

        /// Members by uid and gid.
        public init(uids: Set<UInt32> = [], gids: Set<UInt32> = []) {
            self.uids = uids
            self.gids = gids
        }
    }

    private let members: [Role: Members]
    private let database: any UserDatabase
    private let groupCache: Mutex<[UInt32: CachedGroups]>
    private let cacheSeconds: Double

    /// Principals whose names the user database does not know (they match nobody).
    public let unresolved: [Principal]

    private struct CachedGroups {
        var primaryGid: UInt32
        var groups: Set<UInt32>
        var fetched: ContinuousClock.Instant
    }

    /// Resolves `roles` through `database`; unknown names are logged and kept in ``unresolved``.
    public init(roles: [Role: [Principal]], database: any UserDatabase, cacheSeconds: Double = 30, logger: Logger) {
        var members: [Role: Members] = [:]
        var unresolved: [Principal] = []
        for (role, principals) in roles {
            var m = Members()
            for p in principals {
                switch p {
                case .uid(let uid):
                    m.uids.insert(uid)
                case .user(let name):
                    if let uid = database.uid(ofUser: name) { m.uids.insert(uid) } else { unresolved.append(p) }
                case .group(let name):
                    if let gid = database.gid(ofGroup: name) { m.gids.insert(gid) } else { unresolved.append(p) }
                }
            }
            members[role] = m
        }
        for p in unresolved {
            logger.warning("role principal names no known user or group; it matches nobody",
                           metadata: ["principal": "\(p)"])
        }
        self.members = members
        self.database = database
        self.cacheSeconds = cacheSeconds
        self.unresolved = unresolved
        self.groupCache = Mutex([:])
    }

    /// The resolved members of `role`.
    public func members(of role: Role) -> Members {
        members[role] ?? Members()
    }

    /// Whether `peer` holds `role`.
    public func permits(_ peer: PeerCredentials, _ role: Role) -> Bool {
        guard let m = members[role] else { return false }
        if m.uids.contains(peer.uid) || m.gids.contains(peer.gid) { return true }
        if m.gids.isEmpty { return false }
        if let groups = peer.groups { return !m.gids.isDisjoint(with: groups) }
        return !m.gids.isDisjoint(with: listedGroups(uid: peer.uid, primaryGid: peer.gid))
    }

    private func listedGroups(uid: UInt32, primaryGid: UInt32) -> Set<UInt32> {
        let now = ContinuousClock.now
        if let cached = groupCache.withLock({ $0[uid] }), cached.primaryGid == primaryGid,
           cached.fetched.duration(to: now) < .seconds(cacheSeconds) {
            return cached.groups
        }
        let groups = database.groups(ofUID: uid, primaryGid: primaryGid)
        groupCache.withLock { $0[uid] = CachedGroups(primaryGid: primaryGid, groups: groups, fetched: now) }
        return groups
    }
}
