/// A password hash format riegel reads, known by the `$id$` its strings start with.
public enum PasswordScheme: String, Sendable, Hashable, CaseIterable {
    /// `$argon2id$v=19$m=…,t=…,p=…$salt$hash`: what riegel writes.
    case argon2id
    /// `$pbkdf2-sha256$…` (passlib or PHC spelling).
    case pbkdf2SHA256 = "pbkdf2-sha256"
    /// `$pbkdf2-sha512$…` (passlib or PHC spelling).
    case pbkdf2SHA512 = "pbkdf2-sha512"
    /// `$2b$`, `$2a$`, `$2y$` (OpenBSD bcrypt, modular crypt format).
    case bcrypt
    /// `$scrypt$ln=…,r=…,p=…$salt$hash` (passlib's spelling).
    case scrypt

    /// The scheme of a stored hash string, judged by its prefix only; nil if riegel does not read it.
    public init?(identifying hash: String) {
        if hash.hasPrefix("$argon2id$") {
            self = .argon2id
        } else if hash.hasPrefix("$pbkdf2-sha256$") {
            self = .pbkdf2SHA256
        } else if hash.hasPrefix("$pbkdf2-sha512$") {
            self = .pbkdf2SHA512
        } else if hash.hasPrefix("$2b$") || hash.hasPrefix("$2a$") || hash.hasPrefix("$2y$") {
            self = .bcrypt
        } else if hash.hasPrefix("$scrypt$") {
            self = .scrypt
        } else {
            return nil
        }
    }

    /// Whether a hash of this scheme is replaced by argon2id after the next good login
    /// (every scheme but argon2id).
    public var needsUpgrade: Bool { self != .argon2id }
}
