/// Hashes and checks passwords (argon2id PHC strings in production).
///
/// - Important: hashing is slow and blocking by design; call it off the event
///   loops. Implementations are thread-safe and compare in constant time.
public protocol PasswordHasher: Sendable {
    /// A PHC string of `password` with a fresh random salt and the configured parameters.
    func hash(_ password: [UInt8]) throws -> String
    /// Whether `password` matches `phc`; throws ``PasswordHashError`` if `phc` is malformed.
    func verify(_ password: [UInt8], against phc: String) throws -> Bool
    /// Whether `phc` was made with other parameters than the configured ones
    /// (or cannot be read), so it should be replaced after the next good login.
    func needsRehash(_ phc: String) -> Bool
}

extension PasswordHasher {
    /// Hashes the UTF-8 bytes of `password`.
    public func hash(_ password: String) throws -> String {
        try hash(Array(password.utf8))
    }

    /// Verifies the UTF-8 bytes of `password`.
    public func verify(_ password: String, against phc: String) throws -> Bool {
        try verify(Array(password.utf8), against: phc)
    }
}
