/// Rotates data keys and lists them (the admin key use cases).
public protocol KeyRotator: Sendable {
    /// Makes a new active key for `purpose` and turns the old one decrypt-only;
    /// returns the new key's id. Committed before it returns.
    func rotate(_ purpose: KeyPurpose) throws -> KeyID
    /// Every key, by id, without key material.
    func keyInfos() -> [DataKeyInfo]
}
