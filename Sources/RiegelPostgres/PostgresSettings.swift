/// Where and how riegeld reaches its PostgreSQL server: the parsed
/// `[storage]` connection settings. The password is the secret read from a
/// file or systemd credential, never from the config itself.
public struct PostgresSettings: Sendable {
    /// How the connection reaches the server.
    public enum Endpoint: Sendable, Equatable {
        /// A Unix-domain socket (`/run/postgresql/.s.PGSQL.5432`).
        case unixSocket(path: String)
        /// TCP; `tls` says whether the server must speak TLS (verified against the system CA store).
        case tcp(host: String, port: Int, tls: Bool)
    }

    public var endpoint: Endpoint
    public var database: String
    public var user: String
    /// The password, if the server asks for one; never logged or printed.
    public var password: String?
    /// The most connections the pool opens (each riegeld instance).
    public var maximumConnections: Int
    /// Seconds a call waits for a connection before it fails with a storage-unavailable error.
    public var connectTimeout: Double
    /// Over TCP with TLS: a PEM file of the CA certificates the server's
    /// certificate must chain to, instead of the system CA store (a private CA).
    public var caFile: String?

    /// Settings with the pool defaults (``defaultMaximumConnections``, ``defaultConnectTimeout``).
    public init(endpoint: Endpoint, database: String, user: String, password: String?,
                maximumConnections: Int = PostgresSettings.defaultMaximumConnections,
                connectTimeout: Double = PostgresSettings.defaultConnectTimeout, caFile: String? = nil) {
        self.endpoint = endpoint
        self.database = database
        self.user = user
        self.password = password
        self.maximumConnections = maximumConnections
        self.connectTimeout = connectTimeout
        self.caFile = caFile
    }

    /// The pool size when `[storage] max_connections` is not set.
    public static let defaultMaximumConnections = 10
    /// The connection wait when `[storage] connect_timeout` is not set.
    public static let defaultConnectTimeout = 5.0
}

extension PostgresSettings: CustomStringConvertible {
    /// Where it connects, without the password.
    public var description: String {
        switch endpoint {
        case .unixSocket(let path): "postgresql://\(user)@\(database) via \(path)"
        case .tcp(let host, let port, let tls): "postgresql://\(user)@\(host):\(port)/\(database)\(tls ? " (TLS)" : "")"
        }
    }
}

extension PostgresSettings: CustomDebugStringConvertible, CustomReflectable {
    /// As ``description``: no password.
    public var debugDescription: String { description }

    /// A mirror without the password (`dump` and logging of the value).
    public var customMirror: Mirror {
        Mirror(self, children: ["endpoint": endpoint, "database": database, "user": user,
                                "password": password == nil ? "none" : "<redacted>"])
    }
}
