import RiegelCore

/// The rules every ``SignatureVerifier`` must keep. Call ``run(_:makeKey:)``
/// with the verifier and a maker of key pairs it understands.
public enum SignatureVerifierConformance {
    /// A key pair: the SPKI DER public key and a signer of messages.
    public typealias KeyPair = (publicKey: [UInt8], sign: ([UInt8]) throws -> [UInt8])

    /// Runs every rule.
    public static func run(_ verifier: any SignatureVerifier, makeKey: () throws -> KeyPair) throws {
        typealias C = StoreConformance
        let check = { (name: String, body: () throws -> Void) in
            try C.check("SignatureVerifier", name, body)
        }
        let message = Array("AAECAwQFBgcICQoLDA0ODw-nonce".utf8)
        try check("validSignatureVerifies") {
            let key = try makeKey()
            try verifier.validatePublicKey(key.publicKey)
            let signature = try key.sign(message)
            try verifier.validateSignature(signature)
            try C.expect(verifier.isValidSignature(signature, of: message, publicKey: key.publicKey),
                         "a signature by the key over the message must verify")
        }
        try check("decoyKeyIsValidAndSignaturesOfOtherKeysFailUnderIt") {
            try verifier.validatePublicKey(verifier.decoyPublicKey)
            let key = try makeKey()
            try C.expect(!verifier.isValidSignature(try key.sign(message), of: message, publicKey: verifier.decoyPublicKey),
                         "a signature by another key must not verify under the decoy key")
        }
        try check("otherMessageOrKeyDoesNotVerify") {
            let key = try makeKey(), other = try makeKey()
            let signature = try key.sign(message)
            try C.expect(!verifier.isValidSignature(signature, of: message + [0x21], publicKey: key.publicKey),
                         "a signature must not verify for another message")
            try C.expect(!verifier.isValidSignature(signature, of: message, publicKey: other.publicKey),
                         "a signature must not verify under another key")
            var tampered = signature
            tampered[tampered.count - 1] ^= 0x01
            try C.expect(!verifier.isValidSignature(tampered, of: message, publicKey: key.publicKey),
                         "a tampered signature must not verify")
        }
        try check("foreignKeysAreRefused") {
            for (name, bytes) in [("P-384", ForeignPublicKeys.p384), ("secp256k1", ForeignPublicKeys.secp256k1)]
                + ForeignPublicKeys.malformed {
                do {
                    try verifier.validatePublicKey(bytes)
                    throw ConformanceFailure("a \(name) key must be refused")
                } catch SignatureVerifierError.invalidPublicKey {
                }
                let signature = try makeKey().sign(message)
                try C.expect(!verifier.isValidSignature(signature, of: message, publicKey: bytes),
                             "nothing verifies under a \(name) key")
            }
        }
        try check("malformedSignaturesAreRefused") {
            let key = try makeKey()
            for bytes in [[], [0x30], [0x04, 0x00], Array("signature".utf8), try key.sign(message) + [0]] as [[UInt8]] {
                do {
                    try verifier.validateSignature(bytes)
                    throw ConformanceFailure("the malformed signature \(bytes.prefix(4)) must be refused")
                } catch SignatureVerifierError.malformedSignature {
                }
                try C.expect(!verifier.isValidSignature(bytes, of: message, publicKey: key.publicKey),
                             "a malformed signature must not verify")
            }
        }
    }
}
