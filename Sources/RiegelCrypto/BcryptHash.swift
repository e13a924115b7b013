import CCrypt
import RiegelCore

/// A bcrypt hash in modular crypt format: `$2b$`, `$2a$` or `$2y$`, a two-digit
/// cost, `$`, 22 characters of salt and 31 of hash in bcrypt's base64
/// (`./A-Za-z0-9`): 60 characters in all. Checked with libxcrypt's `crypt_r`.
///
/// - Important: bcrypt reads at most the first 72 bytes of a password (what
///   the system that made the hash did too), and no password containing a NUL
///   byte matches (bcrypt libraries refuse to hash those).
struct BcryptHash: Sendable, Hashable {
    var text: String
    var cost: Int

    private static let symbols = Set("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)

    static func parse(_ text: String, limits: LegacyHashLimits) throws -> BcryptHash {
        guard PasswordScheme(identifying: text) == .bcrypt else {
            throw LegacyHashError.unsupportedScheme(identifier: LegacyHashSyntax.identifier(of: text))
        }
        let bytes = Array(text.utf8)
        guard bytes.count == 60 else { throw LegacyHashError.malformed(.bcrypt, reason: "expected 60 characters") }
        guard bytes[6] == UInt8(ascii: "$"), bytes[4...5].allSatisfy({ (48...57).contains($0) }),
              let cost = Int(String(decoding: bytes[4...5], as: UTF8.self)) else {
            throw LegacyHashError.malformed(.bcrypt, reason: "expected a two-digit cost after the identifier")
        }
        guard bytes[7...].allSatisfy({ symbols.contains($0) }) else {
            throw LegacyHashError.malformed(.bcrypt, reason: "salt and hash must be 53 characters of ./A-Za-z0-9")
        }
        guard (4...min(31, limits.maxBcryptCost)).contains(cost) else {
            throw LegacyHashError.parametersOutOfRange(.bcrypt, reason: "cost must be 04...\(min(31, limits.maxBcryptCost))")
        }
        return BcryptHash(text: text, cost: cost)
    }

    /// Whether `password` gives the stored hash (the 31 hash characters compared in constant time).
    func matches(_ password: [UInt8]) throws -> Bool {
        guard !password.contains(0) else { return false }
        var phrase = password.map { CChar(bitPattern: $0) } + [0]
        let size = MemoryLayout<crypt_data>.size
        let data = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: MemoryLayout<crypt_data>.alignment)
        data.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        defer {
            // crypt_data holds the password and the Blowfish state derived from it.
            data.initializeMemory(as: UInt8.self, repeating: 0, count: size)
            data.deallocate()
            for index in phrase.indices { phrase[index] = 0 }
        }
        let output = text.withCString { setting -> [UInt8]? in
            guard let result = crypt_r(phrase, setting, data.assumingMemoryBound(to: crypt_data.self)) else { return nil }
            return Array(String(cString: result).utf8)
        }
        // libxcrypt answers a setting it refuses with a "*0"/"*1" failure token instead of a hash.
        guard let output, output.count == 60, output.first == UInt8(ascii: "$") else {
            throw LegacyHashError.backendFailed(.bcrypt, reason: "crypt_r refused the setting")
        }
        return ConstantTime.equals(output.suffix(31), Array(text.utf8).suffix(31))
    }
}
