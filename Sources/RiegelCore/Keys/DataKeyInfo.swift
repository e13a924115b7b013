/// What admins may see of a data key: everything but the key material.
public struct DataKeyInfo: Sendable, Hashable {
    /// The key's id.
    public var id: KeyID
    /// What it is for.
    public var purpose: KeyPurpose
    /// Where it is in its life cycle.
    public var state: KeyState
    /// When it was made.
    public var createdAt: Instant
    /// The fingerprint of the master key it is wrapped under (for a retired
    /// key: was wrapped under).
    public var masterKeyID: String

    /// Creates a value.
    public init(id: KeyID, purpose: KeyPurpose, state: KeyState, createdAt: Instant, masterKeyID: String) {
        self.id = id
        self.purpose = purpose
        self.state = state
        self.createdAt = createdAt
        self.masterKeyID = masterKeyID
    }
}
