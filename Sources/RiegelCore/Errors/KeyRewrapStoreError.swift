/// Why a ``KeyRewrapStore`` refused to retire a key.
public enum KeyRewrapStoreError: Error, Sendable, Hashable {
    /// No key has this id.
    case unknownKey(KeyID)
    /// The key is its purpose's active key.
    case active(KeyID)
    /// Rows still reference it.
    case inUse(KeyID, count: Int)
}
