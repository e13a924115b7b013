import Foundation
import RiegelCore
@testable import RiegelCrypto
import XCTest

/// Fresh legacy hashes (random salts, library defaults) made by passlib,
/// bcrypt and hashlib at test time verify in riegel (python: see ``TestPython``).
final class LegacyHashInteropTests: XCTestCase {
    private func made(_ script: String, _ password: String) throws -> String {
        let result = try TestPython.run(script, [password])
        XCTAssertEqual(result.status, 0, script)
        return result.output
    }

    func testHashesMadeByPasslibBcryptAndHashlibVerifyInRiegel() throws {
        let password = "Tr0ub4dor&3 ünïcode"
        let scripts = [
            "import sys; from passlib.hash import pbkdf2_sha256 as h; print(h.hash(sys.argv[1]))",
            "import sys; from passlib.hash import pbkdf2_sha512 as h; print(h.hash(sys.argv[1]))",
            "import sys; from passlib.hash import scrypt as h; print(h.hash(sys.argv[1]))",
            "import sys, bcrypt; print(bcrypt.hashpw(sys.argv[1].encode(), bcrypt.gensalt(10)).decode())",
            "import sys, bcrypt; print(bcrypt.hashpw(sys.argv[1].encode(), bcrypt.gensalt(6, prefix=b'2a')).decode())",
            """
            import sys, os, base64, hashlib
            b64 = lambda b: base64.b64encode(b).decode().rstrip("=")
            salt = os.urandom(16)
            dk = hashlib.pbkdf2_hmac("sha256", sys.argv[1].encode(), salt, 600000, 32)
            print("$pbkdf2-sha256$i=600000,l=32$%s$%s" % (b64(salt), b64(dk)))
            """,
        ]
        let verifier = LegacyPasswordVerifier()
        for script in scripts {
            let hash = try made(script, password)
            XCTAssertTrue(try verifier.verify(password, against: hash), hash)
            XCTAssertFalse(try verifier.verify("Tr0ub4dor&3", against: hash), hash)
            XCTAssertTrue(LegacyPasswordVerifier.needsUpgrade(hash))
        }
    }
}
