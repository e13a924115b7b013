/// Everything a ``WrappedKeyStore`` holds, read in one go at startup.
public struct WrappedKeySnapshot: Sendable, Hashable {
    /// Every stored key in any state, ordered by id.
    public var keys: [WrappedDataKey]
    /// The check value of the master key that wrapped the keys, if one was stored.
    public var masterKeyCheck: [UInt8]?

    /// Creates a snapshot.
    public init(keys: [WrappedDataKey], masterKeyCheck: [UInt8]?) {
        self.keys = keys
        self.masterKeyCheck = masterKeyCheck
    }
}
