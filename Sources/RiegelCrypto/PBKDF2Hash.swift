import Crypto
import RiegelCore
import _CryptoExtras

/// A PBKDF2-HMAC hash in one of the two accepted spellings:
///
/// - passlib: `$pbkdf2-sha256$<rounds>$<salt>$<hash>` (also `-sha512`), salt and
///   hash in passlib's adapted base64 (`./` instead of `+/`, no padding); the
///   salt is the decoded bytes.
/// - PHC: `$pbkdf2-sha256$i=<rounds>[,l=<length>]$<salt>$<hash>`, salt and hash
///   in standard unpadded base64 (as RustCrypto's `pbkdf2` writes them); `l`,
///   if present, must equal the hash length.
///
/// Both need a non-empty salt of at most 64 bytes and a 16...64-byte hash.
struct PBKDF2Hash: Sendable, Hashable {
    var scheme: PasswordScheme
    var iterations: Int
    var salt: [UInt8]
    var hash: [UInt8]

    static func parse(_ text: String, limits: LegacyHashLimits) throws -> PBKDF2Hash {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false)
        guard let scheme = PasswordScheme(identifying: text), scheme == .pbkdf2SHA256 || scheme == .pbkdf2SHA512 else {
            throw LegacyHashError.unsupportedScheme(identifier: LegacyHashSyntax.identifier(of: text))
        }
        func malformed(_ reason: String) -> LegacyHashError { .malformed(scheme, reason: reason) }
        guard parts.count == 5, parts[0].isEmpty else { throw malformed("expected 4 '$'-separated fields") }
        let alphabet: Base64Alphabet
        let passlibSpelling: Bool
        let iterations: Int
        var declaredLength: Int?
        if let rounds = LegacyHashSyntax.decimal(parts[2]) {
            alphabet = .adapted
            passlibSpelling = true
            iterations = rounds
        } else {
            let params = parts[2].split(separator: ",", omittingEmptySubsequences: false)
            guard (1...2).contains(params.count), let rounds = LegacyHashSyntax.named("i", in: params[0]) else {
                throw malformed("expected a decimal rounds field or i=<rounds>[,l=<length>]")
            }
            if params.count == 2 {
                guard let length = LegacyHashSyntax.named("l", in: params[1]) else { throw malformed("expected l=<length>") }
                declaredLength = length
            }
            alphabet = .standard
            passlibSpelling = false
            iterations = rounds
        }
        guard let salt = alphabet.decode(String(parts[3])), let hash = alphabet.decode(String(parts[4])) else {
            throw malformed(passlibSpelling
                ? "salt or hash is not passlib's adapted base64 (./, no padding)"
                : "salt or hash is not unpadded standard base64")
        }
        guard (1...64).contains(salt.count) else { throw malformed("salt must be 1...64 bytes") }
        guard (16...64).contains(hash.count) else { throw malformed("hash must be 16...64 bytes") }
        if let declaredLength, declaredLength != hash.count { throw malformed("l does not match the hash length") }
        guard (1...limits.maxPBKDF2Iterations).contains(iterations) else {
            throw LegacyHashError.parametersOutOfRange(scheme, reason: "iterations must be 1...\(limits.maxPBKDF2Iterations)")
        }
        return PBKDF2Hash(scheme: scheme, iterations: iterations, salt: salt, hash: hash)
    }

    /// Whether `password` derives the stored hash (constant-time compare).
    func matches(_ password: [UInt8]) throws -> Bool {
        let function: KDF.Insecure.PBKDF2.HashFunction = scheme == .pbkdf2SHA512 ? .sha512 : .sha256
        let derived: SymmetricKey
        do {
            derived = try KDF.Insecure.PBKDF2.deriveKey(from: password, salt: salt, using: function,
                                                        outputByteCount: hash.count, unsafeUncheckedRounds: iterations)
        } catch {
            throw LegacyHashError.backendFailed(scheme, reason: "PBKDF2 derivation failed")
        }
        return derived.withUnsafeBytes { ConstantTime.equals($0, hash) }
    }
}
