/// What a master-key rotation did: fingerprints only, never key material.
public struct MasterKeyRotation: Sendable, Hashable {
    /// The fingerprint of the master key that wrapped the keys before.
    public var oldKeyID: String
    /// The fingerprint of the master key that wraps them now.
    public var newKeyID: String
    /// How many data keys (every key that is not retired) were re-wrapped.
    public var rewrapped: Int
    /// Where the new master key was read, in words (for status and logs).
    public var source: String

    /// Creates a result.
    public init(oldKeyID: String, newKeyID: String, rewrapped: Int, source: String) {
        self.oldKeyID = oldKeyID
        self.newKeyID = newKeyID
        self.rewrapped = rewrapped
        self.source = source
    }
}
