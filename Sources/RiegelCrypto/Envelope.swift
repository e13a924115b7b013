import Crypto
import Foundation
import RiegelCore

/// The at-rest format of sealed secrets: AES-256-GCM with the key id inside.
///
/// Layout (33 bytes + plaintext length):
/// ```
/// version(1) = 0x01 | key id (4, big-endian) | nonce (12, random) | ciphertext | tag (16)
/// ```
/// The GCM associated data is `version | key id | len(purpose) | purpose |
/// caller's associated data`, so the header, the purpose and the caller's
/// binding (e.g. user id + column) are all authenticated.
///
/// - Important: nonces are random 96-bit values; with one key, stay well
///   below 2^32 seals (rotate keys long before that).
public enum Envelope {
    /// The format version this code writes and reads.
    public static let version: UInt8 = 1
    /// Bytes added to the plaintext.
    public static let overhead = headerLength + nonceLength + tagLength
    static let headerLength = 5
    static let nonceLength = 12
    static let tagLength = 16

    /// Seals `plaintext` under `key`, binding `associatedData`.
    public static func seal(_ plaintext: [UInt8], with key: DataKey, associatedData: [UInt8],
                            random: any RandomSource) throws -> [UInt8] {
        let header = header(for: key.id)
        let nonceBytes = random.bytes(nonceLength)
        do {
            let box = try AES.GCM.seal(plaintext, using: key.sealingKey, nonce: AES.GCM.Nonce(data: nonceBytes),
                                       authenticating: aad(header: header, purpose: key.purpose, associatedData))
            return header + nonceBytes + Array(box.ciphertext) + Array(box.tag)
        } catch {
            throw SealingError.cipherFailure(String(describing: error))
        }
    }

    /// The id of the key that sealed `sealed`, read from its header.
    public static func keyID(of sealed: [UInt8]) throws -> KeyID {
        guard sealed.count >= overhead, sealed[0] == version else { throw SealingError.malformed }
        let raw = sealed[1..<5].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return KeyID(rawValue: raw)
    }

    /// Opens `sealed` with `key` (which must be the key it names) and `associatedData`.
    public static func open(_ sealed: [UInt8], with key: DataKey, associatedData: [UInt8]) throws -> [UInt8] {
        let id = try keyID(of: sealed)
        guard id == key.id else { throw SealingError.unknownKey(id) }
        let header = Array(sealed[0..<headerLength])
        let nonce = sealed[headerLength..<(headerLength + nonceLength)]
        let body = sealed[(headerLength + nonceLength)..<(sealed.count - tagLength)]
        let tag = sealed[(sealed.count - tagLength)...]
        do {
            let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: nonce), ciphertext: body, tag: tag)
            let plaintext = try AES.GCM.open(box, using: key.sealingKey,
                                             authenticating: aad(header: header, purpose: key.purpose, associatedData))
            return Array(plaintext)
        } catch {
            throw SealingError.authenticationFailed
        }
    }

    static func header(for id: KeyID) -> [UInt8] {
        let raw = id.rawValue
        return [version, UInt8(raw >> 24), UInt8(truncatingIfNeeded: raw >> 16),
                UInt8(truncatingIfNeeded: raw >> 8), UInt8(truncatingIfNeeded: raw)]
    }

    static func aad(header: [UInt8], purpose: KeyPurpose, _ associatedData: [UInt8]) -> [UInt8] {
        let name = Array(purpose.rawValue.utf8)
        return header + [UInt8(name.count)] + name + associatedData
    }
}
