import RiegelCore

/// The production ``PasswordHasher``: new hashes are argon2id; verification
/// reads argon2id and the legacy schemes of ``LegacyPasswordVerifier``, chosen
/// by the hash's `$id$` prefix; a legacy hash always needs a rehash.
///
/// - Important: errors keep the port's contract: a malformed stored hash of
///   any scheme throws ``PasswordHashError/malformedHash(_:)``, one over the
///   cost caps (``argon2Limits``, ``LegacyHashLimits``) throws
///   ``PasswordHashError/costAboveLimit(_:)`` before any work is done;
///   nothing secret is in the message.
public struct UpgradingPasswordHasher: PasswordHasher {
    /// Makes and checks argon2id hashes.
    public let argon2: Argon2idHasher
    /// Checks imported legacy hashes.
    public let legacy: LegacyPasswordVerifier
    /// The caps on stored argon2id hashes (never below `argon2`'s own parameters).
    public let argon2Limits: Argon2CostLimits

    /// A hasher writing with `argon2` and also reading what `legacy` reads;
    /// stored argon2id hashes are capped by `argon2Limits` raised to `argon2`'s parameters.
    public init(argon2: Argon2idHasher, legacy: LegacyPasswordVerifier = LegacyPasswordVerifier(),
                argon2Limits: Argon2CostLimits = .default) {
        self.argon2 = argon2
        self.legacy = legacy
        self.argon2Limits = argon2Limits.admitting(argon2.parameters)
    }

    /// Throws ``PasswordHashError/costAboveLimit(_:)`` if the argon2id `phc`
    /// asks for more than ``argon2Limits`` (and the parse errors of a malformed one).
    func checkArgon2Cost(_ phc: String) throws {
        if let why = argon2Limits.violation(try PHCString.parse(phc).parameters) {
            throw PasswordHashError.costAboveLimit(why)
        }
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
        if scheme == .argon2id {
            try checkArgon2Cost(phc)
            return try argon2.verify(password, against: phc)
        }
        do {
            return try legacy.verify(password, against: phc)
        } catch let error as LegacyHashError {
            switch error {
            case .backendFailed: throw PasswordHashError.hashingFailed(error.summary)
            case .parametersOutOfRange: throw PasswordHashError.costAboveLimit(error.summary)
            default: throw PasswordHashError.malformedHash(error.summary)
            }
        }
    }

    /// True for every non-argon2id hash and for argon2id hashes with other parameters.
    public func needsRehash(_ phc: String) -> Bool {
        PasswordScheme(identifying: phc) == .argon2id ? argon2.needsRehash(phc) : true
    }
}
