import RiegelCore

/// Why the key ring refused to open or change. Each message says what to do.
///
/// - Important: riegel never generates new keys over stored ones it cannot
///   open; that would make every sealed value unreadable.
public enum KeyRingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The stored keys were wrapped by another master key.
    case masterKeyMismatch(stored: String?, loaded: String)
    /// A stored key did not unwrap although the master key matched.
    case unwrapFailed(KeyID)
    /// The store holds two active keys for a purpose.
    case multipleActiveKeys(KeyPurpose)
    /// The store says keys were made (a master-key check value is stored) but holds none.
    case keysMissing

    /// A message that says what went wrong and how to fix it.
    public var description: String {
        switch self {
        case .masterKeyMismatch(let stored, let loaded):
            return "the loaded master key (id \(loaded)) does not open the stored data keys: the database's master key is id \(stored ?? "unknown"). Start riegeld with that key: if it was rotated (riegelctl keys rotate-master), point LoadCredential=riegel-master-key: (or LoadCredentialEncrypted=riegel-master-key:) in riegeld.service at the new key's file, then systemctl daemon-reload and restart. riegel will not replace existing keys"
        case .unwrapFailed(let id):
            return "stored data key \(id) does not unwrap under the right master key: the key table is damaged or was tampered with; restore the database from a backup"
        case .multipleActiveKeys(let purpose):
            return "the database holds more than one active key for purpose '\(purpose.rawValue)'; restore the database from a backup"
        case .keysMissing:
            return "the database records a master key but holds no data keys: the key table was emptied, and new keys would make every sealed value unreadable; restore the database from a backup"
        }
    }
}
