import Crypto
import RiegelCore

/// The ``KeyedDigester`` on a ``KeyRing``: HMAC-SHA256 under the HMAC subkey
/// of a purpose's keys, compared in constant time.
public struct KeyRingDigester: KeyedDigester {
    private let keyRing: KeyRing

    /// A digester on `keyRing`.
    public init(keyRing: KeyRing) {
        self.keyRing = keyRing
    }

    /// HMAC of `message` under the active key of `purpose`.
    public func digest(_ message: [UInt8], purpose: KeyPurpose) -> KeyedDigest {
        Self.digest(message, key: keyRing.activeKey(purpose))
    }

    /// Whether `digest` is the digest of `message` under the key it names (constant-time).
    public func matches(_ message: [UInt8], digest: KeyedDigest, purpose: KeyPurpose) -> Bool {
        guard let key = keyRing.key(digest.keyID), key.purpose == purpose else { return false }
        return ConstantTime.equals(Self.digest(message, key: key).bytes, digest.bytes)
    }

    /// Digests under every usable key of `purpose`, active first.
    public func allDigests(_ message: [UInt8], purpose: KeyPurpose) -> [KeyedDigest] {
        keyRing.usableKeys(purpose).map { Self.digest(message, key: $0) }
    }

    static func digest(_ message: [UInt8], key: DataKey) -> KeyedDigest {
        KeyedDigest(bytes: Array(HMAC<SHA256>.authenticationCode(for: message, using: key.macKey)), keyID: key.id)
    }
}
