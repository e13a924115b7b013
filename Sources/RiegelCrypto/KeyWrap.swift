import Crypto
import RiegelCore

/// Wraps data-key material under the master key: `0x01 | nonce(12) | ciphertext(32) | tag(16)`,
/// AES-256-GCM with associated data `riegel/v1/wrap | key id (4, BE) | purpose`.
enum KeyWrap {
    static let version: UInt8 = 1

    static func aad(_ id: KeyID, _ purpose: KeyPurpose) -> [UInt8] {
        Array("riegel/v1/wrap".utf8) + Array(Envelope.header(for: id).dropFirst()) + Array(purpose.rawValue.utf8)
    }

    static func wrap(_ material: SymmetricKey, id: KeyID, purpose: KeyPurpose, master: MasterKey,
                     random: any RandomSource) throws -> [UInt8] {
        let nonce = random.bytes(12)
        let plaintext = material.withUnsafeBytes { Array($0) }
        let box = try AES.GCM.seal(plaintext, using: master.key, nonce: AES.GCM.Nonce(data: nonce),
                                   authenticating: aad(id, purpose))
        return [version] + nonce + Array(box.ciphertext) + Array(box.tag)
    }

    /// The material, or nil if it does not authenticate under `master`.
    static func unwrap(_ wrapped: [UInt8], id: KeyID, purpose: KeyPurpose, master: MasterKey) -> SymmetricKey? {
        guard wrapped.count == 1 + 12 + 32 + 16, wrapped[0] == version,
              let box = try? AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: wrapped[1..<13]),
                                               ciphertext: wrapped[13..<45], tag: wrapped[45...]),
              let material = try? AES.GCM.open(box, using: master.key, authenticating: aad(id, purpose))
        else { return nil }
        return SymmetricKey(data: material)
    }
}
