import Foundation
import NIOPosix
import Varlink

/// A real riegeld (the built binary) on a temporary socket and state
/// directory, the current uid in every role, as `Tests/IntegrationTests`
/// runs it.
final class RiegeldProcess {
    let directory: URL
    let socketPath: String
    private let process: Process
    private let logURL: URL

    /// The riegeld next to this test bundle (`swift build --build-tests` builds
    /// both), or in `$RIEGEL_BIN_DIR`.
    static func binary() throws -> URL {
        var candidates: [URL] = []
        if let dir = ProcessInfo.processInfo.environment["RIEGEL_BIN_DIR"] {
            candidates.append(URL(fileURLWithPath: dir).appendingPathComponent("riegeld"))
        }
        let bundle = Bundle.main.bundleURL
        candidates.append(bundle.appendingPathComponent("riegeld"))
        candidates.append(bundle.deletingLastPathComponent().appendingPathComponent("riegeld"))
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        candidates.append(repo.appendingPathComponent(".build/debug/riegeld"))
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw TestTimeout(message: "no riegeld binary in \(candidates.map(\.path)): run `swift build --build-tests` first")
        }
        return found
    }

    /// Starts riegeld with `extraConfig` appended to its config and waits until it answers.
    init(extraConfig: String = "") async throws {
        directory = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("riegel-client-d-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let state = directory.appendingPathComponent("state")
        socketPath = directory.appendingPathComponent("riegel.sock").path
        let uid = getuid()
        let config = """
            [daemon]
            state_directory = "\(state.path)"
            socket_path = "\(socketPath)"
            socket_mode = "0600"
            allow_master_key_file = true
            [roles]
            portal = ["uid:\(uid)"]
            admin = ["uid:\(uid)"]
            audit = ["uid:\(uid)"]
            \(extraConfig)
            """
        let configURL = directory.appendingPathComponent("riegel.toml")
        try config.write(to: configURL, atomically: true, encoding: .utf8)
        logURL = directory.appendingPathComponent("riegeld.log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)

        process = Process()
        process.executableURL = try Self.binary()
        process.arguments = ["--config", configURL.path]
        var environment = ProcessInfo.processInfo.environment
        environment["NOTIFY_SOCKET"] = nil
        environment["LISTEN_FDS"] = nil
        environment["LISTEN_PID"] = nil
        process.environment = environment
        process.standardOutput = log
        process.standardError = log
        try process.run()
        try await waitUntilServing()
    }

    /// Polls `GetInfo` until riegeld answers (READY=1 goes out only once the socket serves).
    private func waitUntilServing(timeout: Duration = .seconds(120)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                throw TestTimeout(message: "riegeld exited (\(process.terminationStatus)); log:\n\(logText)")
            }
            if let client = try? await VarlinkClient.connect(to: socketPath, group: MultiThreadedEventLoopGroup.singleton) {
                defer { Task { try? await client.close() } }
                if (try? await client.call("org.varlink.service.GetInfo")) != nil { return }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestTimeout(message: "riegeld did not answer within \(timeout); log:\n\(logText)")
    }

    /// What riegeld logged.
    var logText: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    /// SIGTERM, wait for the exit, remove the directory; returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
        return process.terminationStatus
    }
}
