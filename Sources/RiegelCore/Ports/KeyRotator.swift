/// The key ring as the key administration use cases see it: rotate, list,
/// and drop retired keys from memory.
public protocol KeyRotator: Sendable {
    /// Makes a new active key for `purpose` and turns the old one decrypt-only;
    /// returns the new key's id. Committed before it returns.
    func rotate(_ purpose: KeyPurpose) throws -> KeyID
    /// Every key, by id, without key material.
    func keyInfos() -> [DataKeyInfo]
    /// Forgets the material of `id` after the store retired it; later opens
    /// and digest checks under it fail as for an unknown key.
    func forgetRetired(_ id: KeyID)
    /// Adopts the key changes another riegeld made on a shared store; returns
    /// whether anything changed.
    @discardableResult
    func refresh() throws -> Bool
}
