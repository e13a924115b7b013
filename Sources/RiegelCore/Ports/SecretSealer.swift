/// Encrypts and decrypts secrets at rest (PHC strings, phone numbers, e-mail).
///
/// - Important: `associatedData` binds a ciphertext to its place (e.g. the
///   user id and column name): a ciphertext copied to another row does not
///   open there. Use the same bytes to open as to seal.
public protocol SecretSealer: Sendable {
    /// Seals `plaintext` under the active key of `purpose`.
    func seal(_ plaintext: [UInt8], purpose: KeyPurpose, associatedData: [UInt8]) throws -> SealedSecret
    /// Opens a ciphertext made by ``seal(_:purpose:associatedData:)`` under any
    /// not-retired key of `purpose`; throws ``SealingError`` if it does not open.
    func open(_ sealed: [UInt8], purpose: KeyPurpose, associatedData: [UInt8]) throws -> [UInt8]
}
