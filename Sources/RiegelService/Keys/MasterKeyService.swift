import RiegelCore

/// The admin use case `RotateMasterKey`: switches the daemon to a new master
/// key and records every attempt as a `key.master_rotated` audit event with
/// the caller's peer uid (success: both key fingerprints and the count of
/// re-wrapped keys; failure: the reason code). Never key material.
public final class MasterKeyService: Sendable {
    let rotator: any MasterKeyRotator
    let audit: AuditRecorder
    let rotated: @Sendable (MasterKeyRotation) -> Void

    /// A service; `rotated` runs after a rotation committed (the daemon
    /// updates its `keys` health check there).
    public init(rotator: any MasterKeyRotator, audit: AuditRecorder,
                rotated: @escaping @Sendable (MasterKeyRotation) -> Void = { _ in }) {
        self.rotator = rotator
        self.audit = audit
        self.rotated = rotated
    }

    /// Rotates to the key in `credential` (a credential name or an absolute path).
    /// - Throws: ``RiegelError/credentialUnavailable(credential:reason:)`` if
    ///   the new key cannot be used, ``RiegelError/masterKeyRotationRefused(reason:)``
    ///   (`same_key`, `development_key_file`); other errors as thrown. Nothing
    ///   changes when it throws.
    public func rotate(credential: String) throws -> MasterKeyRotation {
        do {
            let result = try rotator.rotateMaster(credential: credential)
            audit.record(.keyMasterRotated, .success, details: [
                "old_master_key_id": result.oldKeyID, "new_master_key_id": result.newKeyID,
                "rewrapped": "\(result.rewrapped)", "credential": credential,
            ])
            rotated(result)
            return result
        } catch let error as MasterKeyRotationError {
            switch error {
            case .credentialUnavailable(let shown, let reason, _):
                audit.record(.keyMasterRotated, .failure, reason: reason, details: ["credential": shown])
                throw RiegelError.credentialUnavailable(credential: shown, reason: reason)
            case .sameKey(let id):
                audit.record(.keyMasterRotated, .failure, reason: error.reason,
                             details: ["credential": credential, "old_master_key_id": id])
                throw RiegelError.masterKeyRotationRefused(reason: error.reason)
            case .developmentKeyFile:
                audit.record(.keyMasterRotated, .failure, reason: error.reason, details: ["credential": credential])
                throw RiegelError.masterKeyRotationRefused(reason: error.reason)
            }
        } catch {
            audit.record(.keyMasterRotated, .failure, reason: "internal_error", details: ["credential": credential])
            throw error
        }
    }
}
