/// Room for `SO_PEERGROUPS`: up to ``capacity`` gids, laid out as the `gid_t[]` the kernel fills.
///
/// NIO's `unsafeGetSocketOption` zero-fills the value and does not return the length the
/// kernel wrote, so the list is read back by its shape: the kernel keeps a process's groups
/// sorted ascending (`groups_sort` before `set_groups`), so the entries end where the values
/// stop rising. A 0 counts only as the first entry with larger ones after it; a peer whose
/// only supplementary group is gid 0 reads as having none (fewer rights, never more).
struct UnixPeerGroups {
    typealias Sixteen = (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32,
                         UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32)
    static let capacity = 256
    var storage: (Sixteen, Sixteen, Sixteen, Sixteen, Sixteen, Sixteen, Sixteen, Sixteen,
                  Sixteen, Sixteen, Sixteen, Sixteen, Sixteen, Sixteen, Sixteen, Sixteen)

    /// The groups the kernel wrote.
    var groups: Set<UInt32> {
        withUnsafeBytes(of: storage) { raw in
            Self.decode(Array(raw.bindMemory(to: UInt32.self)))
        }
    }

    /// The ascending prefix of a zero-padded, sorted gid list (see the type's summary).
    static func decode(_ gids: [UInt32]) -> Set<UInt32> {
        var groups = Set<UInt32>()
        var previous: UInt32?
        for (index, gid) in gids.enumerated() {
            if let previous, gid <= previous { break }
            if gid == 0 && (index + 1 == gids.count || gids[index + 1] == 0) { break }
            groups.insert(gid)
            previous = gid
        }
        return groups
    }
}
