import Foundation
@testable import RiegelPostgres

/// The one PostgreSQL server of this test process: started by
/// `scripts/pg-scratch` on first use (a temporary directory, Unix socket
/// only), stopped when the process exits. Each test gets databases of its
/// own, copied from a migrated template. A server that cannot start fails
/// the test that asked for it (the error says why); nothing is skipped.
final class PostgresTestServer: Sendable {
    /// The socket directory.
    let directory: String
    private let script: String

    /// The started server, or why it could not start (kept, so every test reports it).
    static let shared: Result<PostgresTestServer, any Error> = Result { try PostgresTestServer.start() }

    /// The name of the migrated template database.
    static let template = "riegel_template"

    private init(directory: String, script: String) {
        self.directory = directory
        self.script = script
    }

    /// The shared server (throws the start failure in every test that needs it).
    static func server() throws -> PostgresTestServer { try shared.get() }

    private static func start() throws -> PostgresTestServer {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let script = root.appendingPathComponent("scripts/pg-scratch").path
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("riegel-pg-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        let (status, output) = try run(script, ["start", directory])
        guard status == 0 else { throw PostgresTestServerError.startFailed(output) }
        let server = PostgresTestServer(directory: directory, script: script)
        stopAtExit = (script, directory)
        atexit {
            if let (script, directory) = PostgresTestServer.stopAtExit {
                _ = try? PostgresTestServer.run(script, ["stop", directory])
            }
        }
        try server.psql("postgres", "CREATE DATABASE \(template) TEMPLATE template0")
        let database = try PostgresDatabase.open(server.settings(database: template))
        database.close()
        return server
    }

    nonisolated(unsafe) private static var stopAtExit: (String, String)?

    /// Settings that reach `database` as the superuser `riegel`.
    func settings(database: String) -> PostgresSettings {
        PostgresSettings(endpoint: .unixSocket(path: directory + "/.s.PGSQL.5432"), database: database,
                         user: "riegel", password: nil)
    }

    /// Runs `sql` with psql on `database`; throws with psql's output if it fails.
    func psql(_ database: String, _ sql: String) throws {
        let (status, output) = try Self.run("/usr/bin/psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", directory,
                                                               "-U", "riegel", "-d", database, "-c", sql])
        guard status == 0 else { throw PostgresTestServerError.psqlFailed(sql: sql, output: output) }
    }

    /// Stops the server and removes its directory.
    func stop() throws {
        _ = try Self.run(script, ["stop", directory])
    }

    /// Runs `path` with `arguments` (posix_spawn and waitpid: Foundation's
    /// `Process` left the child unreaped when run from a static initializer),
    /// its output in a temporary file; returns the exit status and the output.
    static func run(_ path: String, _ arguments: [String]) throws -> (Int32, String) {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("riegel-pg-out-\(UUID().uuidString)").path
        defer { unlink(output) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard spawned == 0 else { throw PostgresTestServerError.startFailed("cannot run \(path): errno \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        let exited = (status & 0x7f) == 0
        return (exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), text)
    }
}

/// Why the test server could not be used.
enum PostgresTestServerError: Error, CustomStringConvertible {
    case startFailed(String)
    case psqlFailed(sql: String, output: String)

    var description: String {
        switch self {
        case .startFailed(let output): "PostgreSQL test server did not start (scripts/pg-scratch): \(output)"
        case .psqlFailed(let sql, let output): "psql failed on \(sql): \(output)"
        }
    }
}
