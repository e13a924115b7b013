import RiegelCore

/// What an administrator sees of a data key (`io.riegel.Admin.KeyInfo`).
public struct KeyListing: Sendable, Hashable {
    /// The key, without material.
    public var info: DataKeyInfo
    /// Stored rows that reference it (see ``KeyRewrapStore/usage(now:)``).
    public var inUse: Int
}
