import Foundation

/// The python the interop tests run: `RIEGEL_TEST_PYTHON`, else the repo's
/// `.venv` (made by `scripts/setup --test` with argon2-cffi, passlib, bcrypt).
enum TestPython {
    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "no python with argon2-cffi, passlib and bcrypt: run scripts/setup --test or set RIEGEL_TEST_PYTHON"
        }
    }

    static func interpreter() throws -> String {
        if let python = ProcessInfo.processInfo.environment["RIEGEL_TEST_PYTHON"] { return python }
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let venv = repo.appendingPathComponent(".venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: venv) else { throw Missing() }
        return venv
    }

    /// Runs `script` with `arguments`; returns the exit status and trimmed stdout.
    static func run(_ script: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try interpreter())
        process.arguments = ["-c", script] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
