/// One atomic change to a ``WrappedKeyStore``: a rotation, the first keys, or
/// a master-key rotation (every re-wrap and the new check value together).
///
/// Stores apply the state changes before the inserts, so a rotation can demote
/// the old active key and insert the new one in the same change.
public struct WrappedKeyChange: Sendable, Hashable {
    /// New keys; their ids must not exist yet.
    public var inserts: [WrappedDataKey]
    /// New states for existing keys, by id.
    public var stateChanges: [KeyID: KeyState]
    /// New wrapped material and master-key fingerprint for existing keys, by id.
    public var rewraps: [KeyID: WrappedKeyRewrap]
    /// If set, replaces the stored master-key check value.
    public var masterKeyCheck: [UInt8]?

    /// Creates a change.
    public init(inserts: [WrappedDataKey] = [], stateChanges: [KeyID: KeyState] = [:],
                rewraps: [KeyID: WrappedKeyRewrap] = [:], masterKeyCheck: [UInt8]? = nil) {
        self.inserts = inserts
        self.stateChanges = stateChanges
        self.rewraps = rewraps
        self.masterKeyCheck = masterKeyCheck
    }
}
