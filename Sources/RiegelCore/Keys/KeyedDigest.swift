/// An HMAC-SHA256 digest with the id of the key that made it.
public struct KeyedDigest: Sendable, Hashable {
    /// The 32-byte MAC.
    public var bytes: [UInt8]
    /// The key that made it.
    public var keyID: KeyID

    /// Creates a value.
    public init(bytes: [UInt8], keyID: KeyID) {
        self.bytes = bytes
        self.keyID = keyID
    }
}
