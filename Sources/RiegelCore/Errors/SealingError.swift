/// Why a sealed secret could not be opened (or sealed).
///
/// - Important: messages never contain plaintext or key material.
public enum SealingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The bytes are not a ciphertext of a format this version knows.
    case malformed
    /// The ciphertext names a key that is unknown, retired or of another purpose.
    case unknownKey(KeyID)
    /// The ciphertext was altered, or the associated data or key is not the one used to seal it.
    case authenticationFailed
    /// The underlying cipher failed (not expected; indicates a platform problem).
    case cipherFailure(String)

    /// A message that says what went wrong and how to fix it.
    public var description: String {
        switch self {
        case .malformed:
            return "sealed value is malformed or of an unknown format version; it was not written by this riegel"
        case .unknownKey(let id):
            return "sealed value names \(id), which is not a usable key of this purpose; it may have been retired before re-encryption finished"
        case .authenticationFailed:
            return "sealed value did not authenticate: it was altered, moved to another row, or sealed under another key"
        case .cipherFailure(let detail):
            return "cipher failure: \(detail)"
        }
    }
}
