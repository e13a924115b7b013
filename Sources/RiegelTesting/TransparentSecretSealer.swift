import RiegelCore
import Synchronization

/// A fast ``SecretSealer`` for service tests. It keeps the rules callers rely
/// on (purpose and associated data must match, key ids are recorded, rotation
/// keeps old values readable) but does NOT encrypt: never use it outside tests.
public final class TransparentSecretSealer: SecretSealer, Sendable {
    private let active: Mutex<[KeyPurpose: KeyID]>

    /// A sealer whose active key of every purpose is `key-1`.
    public init() {
        active = Mutex(Dictionary(uniqueKeysWithValues: KeyPurpose.allCases.map { ($0, KeyID(rawValue: 1)) }))
    }

    /// Makes a new active key id for `purpose`, as a rotation would.
    @discardableResult
    public func rotate(_ purpose: KeyPurpose) -> KeyID {
        active.withLock { ids in
            let next = (ids.values.max() ?? KeyID(rawValue: 0)).next
            ids[purpose] = next
            return next
        }
    }

    /// Wraps `plaintext` (not encrypted) with its purpose, key id and `associatedData`.
    public func seal(_ plaintext: [UInt8], purpose: KeyPurpose, associatedData: [UInt8]) throws -> SealedSecret {
        let id = active.withLock { $0[purpose]! }
        let header = Array("fake".utf8) + Array(purpose.rawValue.utf8) + [0] + withUnsafeBytes(of: id.rawValue.bigEndian, Array.init)
        let aadLength = withUnsafeBytes(of: UInt32(associatedData.count).bigEndian, Array.init)
        return SealedSecret(bytes: header + aadLength + associatedData + plaintext.map { $0 ^ 0x5A }, keyID: id)
    }

    /// Unwraps a value from ``seal(_:purpose:associatedData:)`` if purpose and `associatedData` match.
    public func open(_ sealed: [UInt8], purpose: KeyPurpose, associatedData: [UInt8]) throws -> [UInt8] {
        let prefix = Array("fake".utf8) + Array(purpose.rawValue.utf8) + [0]
        guard sealed.count >= prefix.count + 8, Array(sealed.prefix(prefix.count)) == prefix else {
            throw SealingError.malformed
        }
        let id = KeyID(rawValue: sealed[prefix.count..<(prefix.count + 4)].reduce(0) { $0 << 8 | UInt32($1) })
        guard id.rawValue >= 1, id <= active.withLock({ $0[purpose]! }) else { throw SealingError.unknownKey(id) }
        let length = Int(sealed[(prefix.count + 4)..<(prefix.count + 8)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        let start = prefix.count + 8
        guard sealed.count >= start + length else { throw SealingError.malformed }
        guard Array(sealed[start..<(start + length)]) == associatedData else { throw SealingError.authenticationFailed }
        return sealed[(start + length)...].map { $0 ^ 0x5A }
    }
}
