/// Replaces the master key of the running daemon (the admin use case
/// `RotateMasterKey`).
public protocol MasterKeyRotator: Sendable {
    /// Reads a new master key from `credential` (a systemd credential name in
    /// `$CREDENTIALS_DIRECTORY`, or an absolute path), re-wraps every data key
    /// that is not retired under it in one committed change, and uses it from
    /// then on. Nothing changes when it throws.
    /// - Throws: ``MasterKeyRotationError``; store errors as thrown.
    func rotateMaster(credential: String) throws -> MasterKeyRotation
}
