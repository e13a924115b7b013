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

    /// Creates a value.
    public init(id: KeyID, purpose: KeyPurpose, state: KeyState, createdAt: Instant) {
        self.id = id
        self.purpose = purpose
        self.state = state
        self.createdAt = createdAt
    }
}
