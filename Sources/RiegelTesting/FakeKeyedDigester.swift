import RiegelCore
import Synchronization

/// A fast ``KeyedDigester`` for service tests: a non-cryptographic 32-byte
/// mix of key id, purpose and message. Keeps the port's rules (key ids,
/// rotation, purpose binding) but is NOT a MAC: never use it outside tests.
public final class FakeKeyedDigester: KeyedDigester, Sendable {
    /// Key ids per purpose, newest (active) last.
    private let keys: Mutex<[KeyPurpose: [KeyID]]>

    /// A digester with one key per purpose (ids 1, 2, ... in `KeyPurpose.allCases` order).
    public init() {
        keys = Mutex(Dictionary(uniqueKeysWithValues: KeyPurpose.allCases.enumerated().map {
            ($0.element, [KeyID(rawValue: UInt32($0.offset) + 1)])
        }))
    }

    /// Makes a new active key id for `purpose`, as a rotation would.
    @discardableResult
    public func rotate(_ purpose: KeyPurpose) -> KeyID {
        keys.withLock { keys in
            let next = (keys.values.flatMap { $0 }.max() ?? KeyID(rawValue: 0)).next
            keys[purpose, default: []].append(next)
            return next
        }
    }

    /// Fake digest of `message` under the active key of `purpose`.
    public func digest(_ message: [UInt8], purpose: KeyPurpose) -> KeyedDigest {
        Self.mix(message, purpose: purpose, key: keys.withLock { $0[purpose]!.last! })
    }

    /// Whether `digest` is the fake digest of `message` under the key it names.
    public func matches(_ message: [UInt8], digest: KeyedDigest, purpose: KeyPurpose) -> Bool {
        guard keys.withLock({ $0[purpose]!.contains(digest.keyID) }) else { return false }
        return Self.mix(message, purpose: purpose, key: digest.keyID) == digest
    }

    /// Digests under every usable key of `purpose`, active first.
    public func allDigests(_ message: [UInt8], purpose: KeyPurpose) -> [KeyedDigest] {
        keys.withLock { $0[purpose]!.reversed() }.map { Self.mix(message, purpose: purpose, key: $0) }
    }

    /// FNV-1a over (key id, purpose, message), expanded to 32 bytes.
    static func mix(_ message: [UInt8], purpose: KeyPurpose, key: KeyID) -> KeyedDigest {
        let input = withUnsafeBytes(of: key.rawValue.bigEndian, Array.init) + Array(purpose.rawValue.utf8) + [0] + message
        var out: [UInt8] = []
        for block in 0..<4 {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(block)
            for byte in input {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01B3
            }
            out += withUnsafeBytes(of: hash.bigEndian, Array.init)
        }
        return KeyedDigest(bytes: out, keyID: key)
    }
}
