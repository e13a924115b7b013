import Foundation
import RiegelPostgres

extension StorageConfig {
    /// The connection settings, with the password read from its file or
    /// credential (never logged; an error names the file, not its content).
    /// - Throws: ``StartupError`` when the password cannot be read.
    func postgresSettings(environment: [String: String]) throws -> PostgresSettings {
        let endpoint: PostgresSettings.Endpoint = host.isEmpty
            ? .unixSocket(path: socket) : .tcp(host: host, port: port, tls: tls)
        return PostgresSettings(endpoint: endpoint, database: database, user: user,
                                password: try readPassword(environment: environment),
                                maximumConnections: maxConnections, connectTimeout: connectTimeout.seconds,
                                caFile: tlsCAFile.isEmpty ? nil : tlsCAFile)
    }

    private func readPassword(environment: [String: String]) throws -> String? {
        let path: String
        switch password {
        case .none:
            return nil
        case .file(let file):
            path = file
        case .credential(let name):
            guard let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty else {
                throw StartupError(message: "[storage] password_credential \"\(name)\": $CREDENTIALS_DIRECTORY is not set (pass it with LoadCredential=\(name):PATH in the unit)")
            }
            path = directory + "/" + name
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StartupError(message: "[storage] the PostgreSQL password file \(path) cannot be read")
        }
        var text = String(decoding: data, as: UTF8.self)
        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        guard !text.isEmpty else {
            throw StartupError(message: "[storage] the PostgreSQL password file \(path) is empty")
        }
        return text
    }
}
