import Foundation
import RiegelCore
@testable import RiegelCrypto
import RiegelTesting
import XCTest

/// App device keys (issue 6): signatures made by Python's `cryptography`
/// package (standing in for the phone's secure hardware) verify with
/// swift-crypto; anything that is not a P-256 key or a DER signature is refused.
/// Needs a python with `cryptography`: `RIEGEL_TEST_PYTHON`, else the repo's `.venv`.
final class P256SignatureVerifierTests: XCTestCase {
    /// Makes `count` P-256 keys in Python and signs each message with each.
    /// Returns per key: SPKI DER, and the DER signature of each message.
    private func pythonKeys(count: Int, signing messages: [String]) throws -> [(spki: [UInt8], signatures: [String: [UInt8]])] {
        let script = """
            import sys, json, base64
            from cryptography.hazmat.primitives import hashes, serialization
            from cryptography.hazmat.primitives.asymmetric import ec
            out = []
            for _ in range(int(sys.argv[1])):
                k = ec.generate_private_key(ec.SECP256R1())
                spki = k.public_key().public_bytes(serialization.Encoding.DER,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo)
                sigs = {m: base64.b64encode(k.sign(m.encode(), ec.ECDSA(hashes.SHA256()))).decode() for m in sys.argv[2:]}
                out.append({"spki": base64.b64encode(spki).decode(), "sigs": sigs})
            print(json.dumps(out))
            """
        let run = try TestPython.run(script, ["\(count)"] + messages)
        XCTAssertEqual(run.status, 0, "python with cryptography failed")
        let decoded = try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as! [[String: Any]]
        return decoded.map { entry in
            let sigs = (entry["sigs"] as! [String: String]).mapValues { Base64Text.decode($0)! }
            return (Base64Text.decode(entry["spki"] as! String)!, sigs)
        }
    }

    func testVerifierPassesTheConformanceSuiteWithKeysMadeByPythonCryptography() throws {
        let message = "AAECAwQFBgcICQoLDA0ODw-nonce"
        var keys = try pythonKeys(count: 12, signing: [message])
        try SignatureVerifierConformance.run(P256SignatureVerifier()) {
            let key = keys.removeFirst()
            return (key.spki, { bytes in
                guard bytes == Array(message.utf8) else { throw ConformanceFailure("no python signature for that message") }
                return key.signatures[message]!
            })
        }
    }

    func testSignatureMadeByPythonCryptographyOverANonceVerifies() throws {
        let nonce = SecureTokenGenerator(random: SystemRandom()).newToken()
        let key = try XCTUnwrap(pythonKeys(count: 1, signing: [nonce]).first)
        let verifier = P256SignatureVerifier()
        XCTAssertNoThrow(try verifier.validatePublicKey(key.spki))
        let signature = try XCTUnwrap(key.signatures[nonce])
        XCTAssertNoThrow(try verifier.validateSignature(signature))
        XCTAssertTrue(verifier.isValidSignature(signature, of: Array(nonce.utf8), publicKey: key.spki))
    }

    func testTamperedPythonSignatureOrNonceIsRejected() throws {
        let nonce = SecureTokenGenerator(random: SystemRandom()).newToken()
        let key = try XCTUnwrap(pythonKeys(count: 1, signing: [nonce]).first)
        let verifier = P256SignatureVerifier()
        let signature = try XCTUnwrap(key.signatures[nonce])
        // Flip one bit of r's last byte: still well-formed DER, no longer the signature.
        let rLength = Int(signature[3])
        var tampered = signature
        tampered[3 + rLength] ^= 0x01
        XCTAssertNoThrow(try verifier.validateSignature(tampered))
        XCTAssertFalse(verifier.isValidSignature(tampered, of: Array(nonce.utf8), publicKey: key.spki))
        var otherNonce = Array(nonce.utf8)
        otherNonce[0] = otherNonce[0] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        XCTAssertFalse(verifier.isValidSignature(signature, of: otherNonce, publicKey: key.spki))
    }

    func testKeysThatAreNotCanonicalP256AreRefused() throws {
        let verifier = P256SignatureVerifier()
        var offCurve = ForeignPublicKeys.p256
        offCurve[offCurve.count - 1] ^= 0x01
        let compressed = try TestPython.run("""
            from cryptography.hazmat.primitives import serialization as s
            from cryptography.hazmat.primitives.asymmetric import ec
            k = ec.generate_private_key(ec.SECP256R1()).public_key()
            print(k.public_bytes(s.Encoding.X962, s.PublicFormat.CompressedPoint).hex())
            """, []).output
        XCTAssertEqual(compressed.count, 66, "python made a compressed point")
        // SPKI around a compressed point: same algorithm header, 33-byte bit string.
        let compressedSPKI: [UInt8] = [0x30, 0x39, 0x30, 0x13] + Array(ForeignPublicKeys.p256[4..<23])
            + [0x03, 0x22, 0x00] + Hex.decode(Array(compressed.utf8))!
        for (name, bytes) in [("off-curve point", offCurve), ("compressed point", compressedSPKI),
                              ("P-384", ForeignPublicKeys.p384), ("secp256k1", ForeignPublicKeys.secp256k1)] {
            XCTAssertThrowsError(try verifier.validatePublicKey(bytes), name) { error in
                guard case SignatureVerifierError.invalidPublicKey(let reason) = error else { return XCTFail("\(error)") }
                XCTAssertFalse(reason.isEmpty)
            }
        }
    }
}
