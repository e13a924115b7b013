import RiegelCore

/// The ``MasterKeyRotator`` of the daemon: reads the new key with the
/// ``MasterKeyLoader``'s rules and re-wraps the ``KeyRing`` under it.
///
/// It refuses while the daemon runs on the development key file
/// (`<state>/master.key`): replacing that file would be a second commit beside
/// the database's, and a crash between the two would leave a database that
/// the file on disk no longer opens. Development databases are cheap to
/// recreate; production keys come from the systemd credential, which the
/// operator repoints in the unit after the rotation (docs/operations.md).
public struct KeyRingMasterRotator: MasterKeyRotator {
    /// The ring whose keys are re-wrapped.
    public let keyRing: KeyRing
    /// Reads the new key (its `environment` supplies `$CREDENTIALS_DIRECTORY`).
    public let loader: MasterKeyLoader

    /// A rotator for `keyRing`.
    public init(keyRing: KeyRing, loader: MasterKeyLoader) {
        self.keyRing = keyRing
        self.loader = loader
    }

    /// Reads the new key from `credential` and re-wraps the ring under it.
    /// - Throws: ``MasterKeyRotationError``; ``KeyRingError`` and store errors as thrown.
    public func rotateMaster(credential: String) throws -> MasterKeyRotation {
        switch keyRing.masterKeyOrigin {
        case .generatedKeyFile(let path):
            throw MasterKeyRotationError.developmentKeyFile(path: path)
        case .keyFile(let path) where path == loader.developmentKeyFilePath:
            throw MasterKeyRotationError.developmentKeyFile(path: path)
        case .keyFile, .credential, .provided:
            break
        }
        let newMaster: MasterKey
        do {
            newMaster = try loader.loadReplacement(credential)
        } catch let error as MasterKeyError {
            // An invalid argument is not echoed: it may be a pasted key.
            let shown = error.reason == "invalid_name" ? "(not shown)" : credential
            throw MasterKeyRotationError.credentialUnavailable(credential: shown, reason: error.reason,
                                                               message: error.description)
        }
        let (oldID, count) = try keyRing.rotateMaster(to: newMaster)
        return MasterKeyRotation(oldKeyID: oldID, newKeyID: newMaster.id, rewrapped: count,
                                 source: newMaster.origin.description)
    }
}
