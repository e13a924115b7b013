import Crypto
import RiegelCore

/// The key that wraps every data key. It never touches the database: only
/// its fingerprint (``id``) and an HMAC check value are stored.
///
/// - Important: losing it makes every sealed value unreadable; leaking it
///   together with a copy of the database leaks everything.
public struct MasterKey: Sendable {
    /// Length of the key in bytes.
    public static let byteCount = 32
    let key: SymmetricKey
    /// A public fingerprint: 16 hex digits of HMAC-SHA256(key, "riegel/v1/master-key-id").
    public let id: String
    /// Where the key was loaded from.
    public let origin: MasterKeyOrigin

    /// A master key from 32 raw bytes.
    /// - Throws: ``MasterKeyError/malformed(path:length:)`` for any other length.
    public init(bytes: [UInt8], origin: MasterKeyOrigin = .provided) throws {
        guard bytes.count == Self.byteCount else {
            throw MasterKeyError.malformed(path: "(provided)", length: bytes.count)
        }
        key = SymmetricKey(data: bytes)
        id = Hex.encode(Array(HMAC<SHA256>.authenticationCode(for: Array("riegel/v1/master-key-id".utf8), using: key)).prefix(8))
        self.origin = origin
    }

    /// Parses a key file or credential: 32 raw bytes, or 64 hex characters
    /// optionally followed by one newline.
    static func parse(_ contents: [UInt8], path: String, origin: MasterKeyOrigin) throws -> MasterKey {
        if contents.count == byteCount {
            return try MasterKey(bytes: contents, origin: origin)
        }
        var text = contents[...]
        if text.last == UInt8(ascii: "\n") { text = text.dropLast() }
        if text.last == UInt8(ascii: "\r") { text = text.dropLast() }
        guard text.count == 2 * byteCount, let bytes = Hex.decode(text) else {
            throw MasterKeyError.malformed(path: path, length: contents.count)
        }
        return try MasterKey(bytes: bytes, origin: origin)
    }

    /// The value stored in `meta` to recognise this key: HMAC-SHA256(key, "riegel/v1/master-key-check").
    var checkValue: [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array("riegel/v1/master-key-check".utf8), using: key))
    }
}
