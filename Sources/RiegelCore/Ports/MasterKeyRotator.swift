/// Replaces the master key of the running daemon (the admin use case
/// `RotateMasterKey`).
public protocol MasterKeyRotator: Sendable {
    /// Reads a new master key from `credential` (a systemd credential name in
    /// `$CREDENTIALS_DIRECTORY`, or an absolute path), re-wraps every data key
    /// that is not retired under it in one committed change, and uses it from
    /// then on. Nothing changes when it throws.
    /// - Throws: ``MasterKeyRotationError`` for a key that cannot be used or is
    ///   the one in use; a stored key that no longer unwraps, or a store
    ///   error, as the adapter throws it.
    func rotateMaster(credential: String) throws -> MasterKeyRotation
}
