/// A data key as it is stored: encrypted ("wrapped") under the master key.
///
/// - Important: `wrapped` is the only form in which key material reaches
///   storage; the raw key exists only in memory.
public struct WrappedDataKey: Sendable, Hashable {
    /// The key's id, unique across purposes.
    public var id: KeyID
    /// What the key is for.
    public var purpose: KeyPurpose
    /// Where the key is in its life cycle.
    public var state: KeyState
    /// When the key was made.
    public var createdAt: Instant
    /// The key sealed with AES-256-GCM under the master key (id and purpose bound as AAD).
    public var wrapped: [UInt8]
    /// The fingerprint of the master key that wrapped it.
    public var masterKeyID: String

    /// Creates a record.
    public init(id: KeyID, purpose: KeyPurpose, state: KeyState, createdAt: Instant,
                wrapped: [UInt8], masterKeyID: String) {
        self.id = id
        self.purpose = purpose
        self.state = state
        self.createdAt = createdAt
        self.wrapped = wrapped
        self.masterKeyID = masterKeyID
    }
}
