import RiegelCore

extension UpgradingPasswordHasher: PasswordHashValidator {
    /// Accepts argon2id PHC strings (within riegel's parameter ranges) and
    /// every scheme ``LegacyPasswordVerifier`` reads.
    /// - Important: the reason never contains the hash (it is a secret of its own).
    public func validateImported(_ hash: String) throws {
        if PasswordScheme(identifying: hash) == .argon2id {
            do {
                _ = try PHCString.parse(hash)
            } catch {
                throw RiegelError.invalidPasswordHash(reason: "malformed argon2id PHC string or parameters out of range")
            }
            return
        }
        do {
            try legacy.validate(hash)
        } catch let error as LegacyHashError {
            throw RiegelError.invalidPasswordHash(reason: error.summary)
        }
    }
}
