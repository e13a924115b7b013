/// Why a ``WrappedKeyStore`` refused a change.
public enum WrappedKeyStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// An insert reused an existing key id.
    case duplicateKey(KeyID)
    /// A state change named a key that is not stored.
    case unknownKey(KeyID)
    /// The change would leave two active keys for one purpose.
    case secondActiveKey(KeyPurpose)
    /// A stored row could not be read (unknown purpose or state, bad id).
    case corruptRecord(String)

    /// A message that says what went wrong and how to fix it.
    public var description: String {
        switch self {
        case .duplicateKey(let id):
            return "key id \(id) already exists; key ids are never reused (this is a bug in the caller)"
        case .unknownKey(let id):
            return "no stored key has id \(id); reload the key ring before changing key states"
        case .secondActiveKey(let purpose):
            return "a second active key for purpose '\(purpose.rawValue)' was refused; demote the old one in the same change"
        case .corruptRecord(let detail):
            return "a stored key record is unreadable (\(detail)); restore the database from a backup or check it was written by this riegel version"
        }
    }
}
