/// A stored key's material wrapped again, under another master key (a
/// master-key rotation). Only the blob and the master key's fingerprint change.
public struct WrappedKeyRewrap: Sendable, Hashable {
    /// The key sealed under the new master key (same layout as ``WrappedDataKey/wrapped``).
    public var wrapped: [UInt8]
    /// The fingerprint of the master key that wrapped it now.
    public var masterKeyID: String

    /// Creates a re-wrap.
    public init(wrapped: [UInt8], masterKeyID: String) {
        self.wrapped = wrapped
        self.masterKeyID = masterKeyID
    }
}
