import Foundation
import RiegelPostgres
import Testing
@testable import RiegelDaemon

/// `[storage]`: the back end, the PostgreSQL connection, and the rule that a
/// password never sits in the config.
@Suite struct StorageConfigTests {
    private func messages(_ text: String) -> [String] {
        RiegelConfig.check(text: text, fileName: "t.toml").map(\.message)
    }

    @Test func theDefaultIsSQLite() throws {
        let c = try RiegelConfig.parse(text: "")
        #expect(c.storage.backend == .sqlite)
        #expect(c.storage.maxConnections == PostgresSettings.defaultMaximumConnections)
    }

    @Test func aPostgreSQLSocketConfigurationParses() throws {
        let c = try RiegelConfig.parse(text: """
            [storage]
            backend = "postgresql"
            socket = "/run/postgresql/.s.PGSQL.5433"
            database = "auth"
            user = "riegeld"
            password_credential = "riegel-db-password"
            max_connections = 4
            connect_timeout = "2s"
            """)
        #expect(c.storage.backend == .postgresql)
        #expect(c.storage.password == .credential("riegel-db-password"))
        #expect(c.storage.socket == "/run/postgresql/.s.PGSQL.5433")
        #expect(c.storage.maxConnections == 4)
        #expect(c.storage.connectTimeout == .seconds(2))
    }

    @Test func anInlinePasswordIsAnError() {
        let found = messages("[storage]\nbackend = \"postgresql\"\npassword = \"hunter2\"\n")
        #expect(found.count == 1)
        #expect(found.first?.contains("never written in the config") == true)
        #expect(!found.joined().contains("hunter2"), "the problem must not repeat the password")
    }

    @Test func badValuesAreErrors() {
        #expect(messages("[storage]\nbackend = \"mysql\"\n").first?.contains("not a storage back end") == true)
        #expect(messages("[storage]\npassword_file = \"db-password\"\n").first?.contains("absolute") == true)
        #expect(messages("[storage]\npassword_credential = \"../x\"\n").first?.contains("credential name") == true)
        #expect(messages("[storage]\npassword_file = \"/a\"\npassword_credential = \"b\"\n").count == 1)
        #expect(messages("[storage]\nport = 0\n").count == 1)
    }

    @Test func thePasswordIsReadFromItsFileWithoutTheNewline() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("riegel-pw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "s3cret-pw\n".write(to: dir.appendingPathComponent("riegel-db-password"), atomically: true, encoding: .utf8)
        var storage = StorageConfig()
        storage.backend = .postgresql
        storage.password = .credential("riegel-db-password")
        let settings = try storage.postgresSettings(environment: ["CREDENTIALS_DIRECTORY": dir.path])
        #expect(settings.password == "s3cret-pw")
        #expect(settings.endpoint == .unixSocket(path: storage.socket))
        #expect(!String(describing: settings).contains("s3cret"))
        storage.password = .file(dir.appendingPathComponent("missing").path)
        #expect(throws: StartupError.self) { try storage.postgresSettings(environment: [:]) }
        storage.password = .credential("riegel-db-password")
        #expect(throws: StartupError.self) { try storage.postgresSettings(environment: [:]) }
    }

    @Test func aHostMeansTCPWithTLSByDefault() throws {
        let c = try RiegelConfig.parse(text: "[storage]\nbackend = \"postgresql\"\nhost = \"db.internal\"\nport = 6432\n")
        let settings = try c.storage.postgresSettings(environment: [:])
        #expect(settings.endpoint == .tcp(host: "db.internal", port: 6432, tls: true))
        #expect(settings.password == nil)
    }
}
