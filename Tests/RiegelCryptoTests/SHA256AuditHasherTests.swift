import RiegelCore
import RiegelCrypto
import RiegelTesting
import XCTest

final class SHA256AuditHasherTests: XCTestCase {
    func testProductionHasherAgreesWithTheTestHasherSoStoreTestsProveTheRealChain() {
        let production = SHA256AuditHasher()
        let reference = SoftwareSHA256()
        for length in [0, 1, 55, 56, 63, 64, 65, 119, 120, 200] {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            XCTAssertEqual(production.sha256(bytes), reference.sha256(bytes), "length \(length)")
        }
        XCTAssertEqual(production.sha256(Array("abc".utf8)).prefix(4), [0xba, 0x78, 0x16, 0xbf])
    }
}
