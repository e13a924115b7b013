import RiegelCore

extension UpgradingPasswordHasher: PasswordHashValidator {
    /// Accepts argon2id PHC strings within ``argon2Limits`` and every scheme
    /// ``LegacyPasswordVerifier`` reads within its ``LegacyHashLimits``.
    /// - Important: the reason never contains the hash (it is a secret of its own).
    public func validateImported(_ hash: String) throws {
        if PasswordScheme(identifying: hash) == .argon2id {
            do {
                try checkArgon2Cost(hash)
            } catch PasswordHashError.costAboveLimit(let why) {
                throw RiegelError.invalidPasswordHash(reason: why)
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
