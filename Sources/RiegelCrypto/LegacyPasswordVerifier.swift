import RiegelCore

/// Checks passwords against hashes imported from other systems, so that their
/// users can log in once and be upgraded to argon2id.
///
/// Accepted formats, exactly (anything else throws ``LegacyHashError``):
/// - `$pbkdf2-sha256$<rounds>$<salt>$<hash>` and `$pbkdf2-sha512$…`: passlib's
///   spelling, salt and hash in passlib's adapted base64 (`./`, no padding);
/// - `$pbkdf2-sha256$i=<rounds>[,l=<bytes>]$<salt>$<hash>` and `-sha512`: PHC
///   spelling (RustCrypto `pbkdf2`), standard unpadded base64 (`+/`);
/// - `$2b$`, `$2a$`, `$2y$` + two-digit cost + 53 characters: bcrypt, checked by
///   libxcrypt's `crypt_r` (`$2x$` and `$2$` are refused);
/// - `$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>`: passlib's scrypt,
///   standard unpadded base64 (passlib's `$7$` spelling is not read).
///
/// Numbers are decimal without sign or leading zeros; base64 must be canonical.
/// Costs are capped by ``LegacyHashLimits``.
///
/// - Important: derived bytes are compared in constant time. A legacy hash
///   always ``needsUpgrade(_:)``: rehash with argon2id after the next good login.
///   Thread-safe; slow like any password hash, so run it on the hashing pool.
public struct LegacyPasswordVerifier: Sendable {
    /// The caps on the cost a stored hash may ask for.
    public var limits: LegacyHashLimits

    /// A verifier with `limits`.
    public init(limits: LegacyHashLimits = .default) {
        self.limits = limits
    }

    /// Whether `password` matches the legacy `hash`.
    /// - Throws: ``LegacyHashError`` if `hash` is not an accepted legacy format or its costs exceed ``limits``.
    public func verify(_ password: [UInt8], against hash: String) throws -> Bool {
        switch try scheme(of: hash) {
        case .pbkdf2SHA256, .pbkdf2SHA512:
            return try PBKDF2Hash.parse(hash, limits: limits).matches(password)
        case .bcrypt:
            return try BcryptHash.parse(hash, limits: limits).matches(password)
        case .scrypt:
            return try ScryptHash.parse(hash, limits: limits).matches(password)
        case .argon2id:
            throw LegacyHashError.unsupportedScheme(identifier: "argon2id")
        }
    }

    /// Verifies the UTF-8 bytes of `password`.
    public func verify(_ password: String, against hash: String) throws -> Bool {
        try verify(Array(password.utf8), against: hash)
    }

    /// Parses `hash` without deriving anything (cheap): for checking an import
    /// file before it is stored. Returns its scheme.
    /// - Throws: ``LegacyHashError`` as ``verify(_:against:)`` would.
    @discardableResult
    public func validate(_ hash: String) throws -> PasswordScheme {
        let scheme = try scheme(of: hash)
        switch scheme {
        case .pbkdf2SHA256, .pbkdf2SHA512: _ = try PBKDF2Hash.parse(hash, limits: limits)
        case .bcrypt: _ = try BcryptHash.parse(hash, limits: limits)
        case .scrypt: _ = try ScryptHash.parse(hash, limits: limits)
        case .argon2id: break
        }
        return scheme
    }

    /// Whether `hash` should be replaced by argon2id after the next good login:
    /// true for every scheme but argon2id, and for strings riegel cannot read.
    public static func needsUpgrade(_ hash: String) -> Bool {
        PasswordScheme(identifying: hash)?.needsUpgrade ?? true
    }

    private func scheme(of hash: String) throws -> PasswordScheme {
        guard let scheme = PasswordScheme(identifying: hash), scheme != .argon2id else {
            throw LegacyHashError.unsupportedScheme(identifier: LegacyHashSyntax.identifier(of: hash))
        }
        return scheme
    }
}
