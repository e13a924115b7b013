import Foundation
import RiegelCore
@testable import RiegelCrypto
import XCTest

/// docs/at-rest-formats.md: PHC strings written by riegel verify with argon2-cffi (PyPI), and
/// hashes made there verify in riegel. Needs a python with argon2-cffi:
/// `RIEGEL_TEST_PYTHON`, else the repo's `.venv` (made by `scripts/setup --test`).
final class Argon2CFFIInteropTests: XCTestCase {
    private func python(_ script: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        try TestPython.run(script, arguments)
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
