import RiegelPostgres

/// `[storage]`: which database riegeld keeps its state in: SQLite under
/// `[daemon] state_directory` (the default) or a PostgreSQL server shared by
/// several riegeld instances. Every default lives here; `config/riegel.toml`
/// shows them.
public struct StorageConfig: Sendable, Equatable {
    /// The back ends.
    public enum Backend: String, Sendable, Equatable, CaseIterable {
        case sqlite
        case postgresql
    }

    /// Where the PostgreSQL password comes from (never the config itself).
    public enum PasswordSource: Sendable, Equatable {
        /// No password (peer or trust authentication on a Unix socket).
        case none
        /// A file that holds only the password (a trailing newline is ignored).
        case file(String)
        /// A systemd credential: `$CREDENTIALS_DIRECTORY/NAME` (`LoadCredential=`).
        case credential(String)
    }

    /// `backend`.
    public var backend = Backend.sqlite
    /// `socket`: the server's Unix socket (used when `host` is empty).
    public var socket = "/run/postgresql/.s.PGSQL.5432"
    /// `host`: a TCP host name or address; empty: connect through `socket`.
    public var host = ""
    /// `port`: the TCP port.
    public var port = 5432
    /// `tls`: over TCP, require TLS and verify the server against the system CA store.
    public var tls = true
    /// `tls_ca_file`: a PEM file of the CAs to verify the server against
    /// instead of the system store (a private CA); empty: the system store.
    public var tlsCAFile = ""
    /// `database`.
    public var database = "riegel"
    /// `user`.
    public var user = "riegel"
    /// `password_file` or `password_credential`.
    public var password = PasswordSource.none
    /// `max_connections`: the pool size of this instance.
    public var maxConnections = PostgresSettings.defaultMaximumConnections
    /// `connect_timeout`: how long a call waits for a connection before it fails with `StorageUnavailable`.
    public var connectTimeout = ConfigDuration.seconds(PostgresSettings.defaultConnectTimeout)

    /// The defaults.
    public init() {}

    static func read(_ s: inout ConfigSection) -> StorageConfig {
        var c = StorageConfig()
        c.backend = s.value("backend", c.backend) { node in
            ConfigValueError.string(node).flatMap { text in
                guard let backend = Backend(rawValue: text) else {
                    let allowed = Backend.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: " or ")
                    return .failure(.init("\"\(text)\" is not a storage back end; use \(allowed)"))
                }
                return .success(backend)
            }
        }
        c.socket = s.nonEmptyString("socket", c.socket)
        if !c.socket.hasPrefix("/") { s.report("socket", "must be an absolute path to the server's socket") }
        c.host = s.string("host", c.host)
        c.port = s.int("port", c.port, in: 1...65535)
        c.tls = s.bool("tls", c.tls)
        c.tlsCAFile = s.string("tls_ca_file", c.tlsCAFile)
        if !c.tlsCAFile.isEmpty, !c.tlsCAFile.hasPrefix("/") { s.report("tls_ca_file", "must be an absolute path") }
        c.database = s.nonEmptyString("database", c.database)
        c.user = s.nonEmptyString("user", c.user)
        if s.has("password") {
            s.allow("password")
            s.report("password", "a password is never written in the config; use password_file or password_credential")
        }
        let file = s.optionalString("password_file")
        let credential = s.optionalString("password_credential")
        switch (file, credential) {
        case (let file?, nil):
            if file.hasPrefix("/") { c.password = .file(file) } else { s.report("password_file", "must be an absolute path") }
        case (nil, let name?):
            if !name.isEmpty, !name.contains("/"), name != ".", name != ".." {
                c.password = .credential(name)
            } else {
                s.report("password_credential", "must be a credential name (no '/')")
            }
        case (_?, _?):
            s.report("password_credential", "set either password_file or password_credential, not both")
        case (nil, nil):
            break
        }
        c.maxConnections = s.int("max_connections", c.maxConnections, in: 1...1000)
        c.connectTimeout = s.duration("connect_timeout", c.connectTimeout)
        return c
    }
}
