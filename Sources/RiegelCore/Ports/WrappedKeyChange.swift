/// One atomic change to a ``WrappedKeyStore``: a rotation, or the first keys.
///
/// Stores apply the state changes before the inserts, so a rotation can demote
/// the old active key and insert the new one in the same change.
public struct WrappedKeyChange: Sendable, Hashable {
    /// New keys; their ids must not exist yet.
    public var inserts: [WrappedDataKey]
    /// New states for existing keys, by id.
    public var stateChanges: [KeyID: KeyState]
    /// If set, replaces the stored master-key check value.
    public var masterKeyCheck: [UInt8]?

    /// Creates a change.
    public init(inserts: [WrappedDataKey] = [], stateChanges: [KeyID: KeyState] = [:],
                masterKeyCheck: [UInt8]? = nil) {
        self.inserts = inserts
        self.stateChanges = stateChanges
        self.masterKeyCheck = masterKeyCheck
    }
}
