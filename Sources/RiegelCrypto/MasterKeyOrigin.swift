/// Where the master key came from (for the startup log line; never the key).
public enum MasterKeyOrigin: Sendable, Hashable {
    /// A systemd credential file (`$CREDENTIALS_DIRECTORY/riegel-master-key`).
    case credential(path: String)
    /// An existing development key file.
    case keyFile(path: String)
    /// A development key file created on this start.
    case generatedKeyFile(path: String)
    /// Handed over in code (tests).
    case provided
}
