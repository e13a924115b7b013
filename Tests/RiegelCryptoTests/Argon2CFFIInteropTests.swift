import Foundation
import RiegelCore
@testable import RiegelCrypto
import XCTest

/// DESIGN.md: PHC strings written by riegel verify with argon2-cffi (PyPI), and
/// hashes made there verify in riegel. Needs a python with argon2-cffi:
/// `RIEGEL_TEST_PYTHON`, else the repo's `.venv` (made by `scripts/setup --test`).
final class Argon2CFFIInteropTests: XCTestCase {
    private var interpreter: String {
        get throws {
            if let python = ProcessInfo.processInfo.environment["RIEGEL_TEST_PYTHON"] { return python }
            let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent()
            let venv = repo.appendingPathComponent(".venv/bin/python").path
            guard FileManager.default.isExecutableFile(atPath: venv) else {
                throw InteropSetupError(message: "no python with argon2-cffi: run scripts/setup --test or set RIEGEL_TEST_PYTHON")
            }
            return venv
        }
    }

    private struct InteropSetupError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    private func python(_ script: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let interpreter = try interpreter
        let process = Process()
        process.executableURL = URL(fileURLWithPath: interpreter)
        process.arguments = ["-c", script] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    func testRiegelHashesVerifyInArgon2CFFI() throws {
        let hasher = try Argon2idHasher(random: SystemRandom())
        let phc = try hasher.hash("Tr0ub4dor&3 ünïcode")
        let script = """
            import sys, argon2
            try:
                argon2.PasswordHasher().verify(sys.argv[1], sys.argv[2]); print("ok")
            except argon2.exceptions.VerifyMismatchError:
                print("mismatch")
            """
        XCTAssertEqual(try python(script, [phc, "Tr0ub4dor&3 ünïcode"]).output, "ok")
        XCTAssertEqual(try python(script, [phc, "Tr0ub4dor&3"]).output, "mismatch")
    }

    func testArgon2CFFIHashesVerifyInRiegel() throws {
        let made = try python("import sys, argon2; print(argon2.PasswordHasher().hash(sys.argv[1]))", ["pässword"])
        XCTAssertEqual(made.status, 0)
        let hasher = try Argon2idHasher(random: SystemRandom())
        XCTAssertTrue(made.output.hasPrefix("$argon2id$v=19$m=65536,t=3,p=4$"), made.output)
        XCTAssertTrue(try hasher.verify("pässword", against: made.output))
        XCTAssertFalse(try hasher.verify("password", against: made.output))
        XCTAssertTrue(hasher.needsRehash(made.output), "argon2-cffi defaults differ from riegel's")
    }
}
