import Foundation
@testable import RiegelSMS

/// A program a test starts and always stops: SIGTERM, a bounded wait, then SIGKILL.
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    let label: String

    /// Starts `arguments[0]` with the rest; stdout and stderr go to files when given.
    init(_ arguments: [String], label: String, directory: String? = nil, stdout: String? = nil, stderr: String? = nil,
         environment: [String: String]? = nil) async throws {
        self.label = label
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        if let environment { process.environment = environment }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try Self.sink(stdout)
        process.standardError = try Self.sink(stderr)
        try await process.runWithCleanSignalMask()
    }

    private static func sink(_ path: String?) throws -> FileHandle {
        guard let path else { return FileHandle.nullDevice }
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        return try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    }

    var isRunning: Bool { process.isRunning }

    /// SIGTERM, up to `grace` for the exit, then SIGKILL and up to 2 s more.
    func stop(grace: Duration = .seconds(3)) async {
        guard process.isRunning else { return }
        let pid = process.processIdentifier
        kill(pid, SIGTERM)
        if await waitForExit(within: grace) { return }
        kill(pid, SIGKILL)
        _ = await waitForExit(within: .seconds(2))
    }

    /// Polls (without blocking a thread) until the process has exited; false if it has not within `limit`.
    func waitForExit(within limit: Duration) async -> Bool {
        let end = ContinuousClock.now + limit
        while process.isRunning {
            if ContinuousClock.now >= end { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }
}

/// Polls `condition` every 50 ms until it holds or `limit` passes.
func eventually(within limit: Duration = .seconds(10), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let end = ContinuousClock.now + limit
    while true {
        if try await condition() { return true }
        if ContinuousClock.now >= end { return false }
        try? await Task.sleep(for: .milliseconds(50))
    }
}
