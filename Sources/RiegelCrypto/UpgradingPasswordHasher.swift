import RiegelCore

/// The production ``PasswordHasher``: new hashes are argon2id; verification
/// reads argon2id and the legacy schemes of ``LegacyPasswordVerifier``, chosen
/// by the hash's `$id$` prefix; a legacy hash always needs a rehash.
///
/// - Important: errors keep the port's contract: a malformed or over-cost
///   stored hash of any scheme throws ``PasswordHashError/malformedHash(_:)``
///   (with the legacy reason inside); nothing secret is in the message.
public struct UpgradingPasswordHasher: PasswordHasher {
    /// Makes and checks argon2id hashes.
    public let argon2: Argon2idHasher
    /// Checks imported legacy hashes.
    public let legacy: LegacyPasswordVerifier

    /// A hasher writing with `argon2` and also reading what `legacy` reads.
    public init(argon2: Argon2idHasher, legacy: LegacyPasswordVerifier = LegacyPasswordVerifier()) {
        self.argon2 = argon2
        self.legacy = legacy
    }

    /// An argon2id PHC string with the configured parameters.
    public func hash(_ password: [UInt8]) throws -> String {
        try argon2.hash(password)
    }

    /// Whether `password` matches `phc`, whichever accepted scheme it is in.
    public func verify(_ password: [UInt8], against phc: String) throws -> Bool {
        guard let scheme = PasswordScheme(identifying: phc) else {
            throw PasswordHashError.malformedHash("unknown scheme '\(LegacyHashSyntax.identifier(of: phc))'")
        }
        if scheme == .argon2id { return try argon2.verify(password, against: phc) }
        do {
            return try legacy.verify(password, against: phc)
        } catch let error as LegacyHashError {
            switch error {
            case .backendFailed: throw PasswordHashError.hashingFailed(error.summary)
            default: throw PasswordHashError.malformedHash(error.summary)
            }
        }
    }

    /// True for every non-argon2id hash and for argon2id hashes with other parameters.
    public func needsRehash(_ phc: String) -> Bool {
        PasswordScheme(identifying: phc) == .argon2id ? argon2.needsRehash(phc) : true
    }
}
