/// A ciphertext made by a ``SecretSealer``, with the id of the key that sealed it.
///
/// Stores keep `keyID` in its own column so that re-encryption after a
/// rotation can find the rows still sealed under an old key.
public struct SealedSecret: Sendable, Hashable {
    /// The self-describing ciphertext (it carries the key id too).
    public var bytes: [UInt8]
    /// The key that sealed it.
    public var keyID: KeyID

    /// Creates a value.
    public init(bytes: [UInt8], keyID: KeyID) {
        self.bytes = bytes
        self.keyID = keyID
    }
}
