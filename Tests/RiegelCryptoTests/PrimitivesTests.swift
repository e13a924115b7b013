import RiegelCore
@testable import RiegelCrypto
import RiegelTesting
import XCTest

final class PrimitivesTests: XCTestCase {
    func testConstantTimeEqualsIsTrueOnlyForIdenticalBytes() {
        XCTAssertTrue(ConstantTime.equals([UInt8](), [UInt8]()))
        XCTAssertTrue(ConstantTime.equals([1, 2, 3] as [UInt8], [1, 2, 3] as [UInt8]))
        XCTAssertFalse(ConstantTime.equals([1, 2, 3] as [UInt8], [1, 2, 4] as [UInt8]))
        XCTAssertFalse(ConstantTime.equals([0, 2, 3] as [UInt8], [1, 2, 3] as [UInt8]))
        XCTAssertFalse(ConstantTime.equals([1, 2, 3] as [UInt8], [1, 2] as [UInt8]), "different lengths")
        XCTAssertFalse(ConstantTime.equals([1, 2] as [UInt8], [1, 2, 3] as [UInt8]))
        XCTAssertFalse(ConstantTime.equals([UInt8](), [0] as [UInt8]))
        XCTAssertTrue(ConstantTime.equals(Array("abc".utf8), "abc".utf8), "works across collection types")
        for bit in 0..<8 {
            XCTAssertFalse(ConstantTime.equals([0x00] as [UInt8], [UInt8(1 << bit)]), "bit \(bit)")
        }
    }

    func testBase64URLMatchesRFC4648VectorsWithoutPadding() {
        let vectors = ["": "", "f": "Zg", "fo": "Zm8", "foo": "Zm9v", "foob": "Zm9vYg", "fooba": "Zm9vYmE", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors {
            XCTAssertEqual(Base64URL.encode(Array(plain.utf8)), encoded)
            XCTAssertEqual(Base64URL.decode(encoded), Array(plain.utf8))
        }
        XCTAssertEqual(Base64URL.encode([0xFB, 0xFF, 0xBF]), "-_-_")
        XCTAssertEqual(Base64URL.decode("-_-_"), [0xFB, 0xFF, 0xBF])
    }

    func testBase64URLRejectsPaddingForeignSymbolsAndNonCanonicalInput() {
        XCTAssertNil(Base64URL.decode("Zg=="), "padding")
        XCTAssertNil(Base64URL.decode("+/+/"), "standard alphabet")
        XCTAssertNil(Base64URL.decode("Z"), "impossible length")
        XCTAssertNil(Base64URL.decode("Zh"), "non-zero trailing bits")
        XCTAssertNil(Base64URL.decode("Zm9v\n"))
    }

    func testSecureTokensAre256BitsOfBase64URL() {
        let generator = SecureTokenGenerator(random: SystemRandom())
        let tokens = (0..<100).map { _ in generator.newToken() }
        XCTAssertEqual(Set(tokens).count, 100)
        for token in tokens {
            XCTAssertEqual(token.count, 43)
            XCTAssertEqual(Base64URL.decode(token)?.count, 32)
        }
    }

    func testTokenDigestIsSHA256() {
        XCTAssertEqual(Hex.encode(SHA256TokenDigester().digest(ofToken: "abc")),
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(Hex.encode(SHA256TokenDigester().digest(ofToken: "")),
                       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    func testTokenDigestHandedOverInPlaceIsTheSameDigest() {
        let digester = SHA256TokenDigester()
        let long = String(repeating: "tok-é-", count: 40)  // not a small string: lives on the heap
        for token in ["", "abc", "Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXg", long, String(long.dropFirst(3))] {
            XCTAssertEqual(digester.withDigest(ofToken: token) { Array($0) }, digester.digest(ofToken: token), token)
        }
        XCTAssertEqual(digester.withDigest(ofToken: "abc") { Hex.encode(Array($0)) },
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func testSystemRandomFillsTheRequestedLengthWithVaryingBytes() {
        let random = SystemRandom()
        XCTAssertEqual(random.bytes(0), [])
        XCTAssertEqual(random.bytes(13).count, 13)
        XCTAssertNotEqual(random.bytes(32), random.bytes(32))
        let many = random.bytes(4096)
        XCTAssertGreaterThan(Set(many).count, 200, "4096 random bytes cover most byte values")
    }

    func testHexRoundTripsAndRejectsGarbage() {
        XCTAssertEqual(Hex.encode([0x00, 0xAB, 0xFF]), "00abff")
        XCTAssertEqual(Hex.decode(Array("00AbfF".utf8)), [0x00, 0xAB, 0xFF])
        XCTAssertNil(Hex.decode(Array("0".utf8)))
        XCTAssertNil(Hex.decode(Array("0g".utf8)))
    }
}
