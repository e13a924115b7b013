/// The port to the system's user and group database (NSS): how principals'
/// names become ids and which groups list a user as a member.
public protocol UserDatabase: Sendable {
    /// The uid of a user name, if the user exists.
    func uid(ofUser name: String) -> UInt32?
    /// The gid of a group name, if the group exists.
    func gid(ofGroup name: String) -> UInt32?
    /// Every group the database lists for the user with this uid (including
    /// `primaryGid`); empty if the uid has no user entry.
    func groups(ofUID uid: UInt32, primaryGid: UInt32) -> Set<UInt32>
}
