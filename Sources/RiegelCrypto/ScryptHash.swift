import Crypto
import RiegelCore
import _CryptoExtras

/// An scrypt hash in passlib's spelling: `$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>`
/// with salt and hash in standard unpadded base64; the salt is the decoded bytes.
/// Parameters in that order, decimal without leading zeros; ln 1...31 (and
/// below 16·r, scrypt's own bound), r 1...16, p 1...16, a 1...64-byte salt and
/// a 16...64-byte hash, within ``LegacyHashLimits``.
struct ScryptHash: Sendable, Hashable {
    var logN: Int
    var blockSize: Int
    var parallelism: Int
    var salt: [UInt8]
    var hash: [UInt8]

    static func parse(_ text: String, limits: LegacyHashLimits) throws -> ScryptHash {
        guard PasswordScheme(identifying: text) == .scrypt else {
            throw LegacyHashError.unsupportedScheme(identifier: LegacyHashSyntax.identifier(of: text))
        }
        func malformed(_ reason: String) -> LegacyHashError { .malformed(.scrypt, reason: reason) }
        let parts = text.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0].isEmpty else { throw malformed("expected 4 '$'-separated fields") }
        let params = parts[2].split(separator: ",", omittingEmptySubsequences: false)
        guard params.count == 3, let logN = LegacyHashSyntax.named("ln", in: params[0]),
              let r = LegacyHashSyntax.named("r", in: params[1]), let p = LegacyHashSyntax.named("p", in: params[2]) else {
            throw malformed("expected ln=<n>,r=<n>,p=<n>")
        }
        guard let salt = Base64Alphabet.standard.decode(String(parts[3])),
              let hash = Base64Alphabet.standard.decode(String(parts[4])) else {
            throw malformed("salt or hash is not unpadded standard base64")
        }
        guard (1...64).contains(salt.count) else { throw malformed("salt must be 1...64 bytes") }
        guard (16...64).contains(hash.count) else { throw malformed("hash must be 16...64 bytes") }
        guard (1...31).contains(logN), (1...16).contains(r), (1...16).contains(p), logN < 16 * r else {
            throw LegacyHashError.parametersOutOfRange(.scrypt, reason: "need ln 1...31 and below 16*r, r 1...16, p 1...16")
        }
        let n = 1 << logN
        let (work, workOverflow) = n.multipliedReportingOverflow(by: r * p)
        guard !workOverflow, work <= limits.maxScryptWork else {
            throw LegacyHashError.parametersOutOfRange(.scrypt, reason: "N*r*p must be at most \(limits.maxScryptWork)")
        }
        guard 128 * r * (n + p) <= limits.maxScryptMemoryBytes else {
            throw LegacyHashError.parametersOutOfRange(.scrypt, reason: "128*r*(N+p) bytes must be at most \(limits.maxScryptMemoryBytes)")
        }
        return ScryptHash(logN: logN, blockSize: r, parallelism: p, salt: salt, hash: hash)
    }

    /// Whether `password` derives the stored hash (constant-time compare).
    func matches(_ password: [UInt8]) throws -> Bool {
        let derived: SymmetricKey
        do {
            derived = try KDF.Scrypt.deriveKey(from: password, salt: salt, outputByteCount: hash.count,
                                               rounds: 1 << logN, blockSize: blockSize, parallelism: parallelism)
        } catch {
            throw LegacyHashError.backendFailed(.scrypt, reason: "scrypt derivation failed")
        }
        return derived.withUnsafeBytes { ConstantTime.equals($0, hash) }
    }
}
