/// Where the master key came from (for the startup log line and
/// `riegelctl status`; never the key).
public enum MasterKeyOrigin: Sendable, Hashable, CustomStringConvertible {
    /// A systemd credential file (`$CREDENTIALS_DIRECTORY/NAME`, normally `riegel-master-key`).
    case credential(path: String)
    /// An existing key file: the development key file, or a file a rotation read.
    case keyFile(path: String)
    /// A development key file created on this start.
    case generatedKeyFile(path: String)
    /// Handed over in code (tests).
    case provided

    /// In words: `systemd credential riegel-master-key (PATH)`, `key file PATH`,
    /// `generated key file PATH` or `provided in code`.
    public var description: String {
        switch self {
        case .credential(let path):
            let name = path.split(separator: "/").last.map(String.init) ?? path
            return "systemd credential \(name) (\(path))"
        case .keyFile(let path): return "key file \(path)"
        case .generatedKeyFile(let path): return "generated key file \(path)"
        case .provided: return "provided in code"
        }
    }
}
