import RiegelCore

/// The rules every ``PasswordHasher`` must keep. ``run(_:)`` throws
/// ``ConformanceFailure`` on the first broken rule.
public enum PasswordHasherConformance {
    /// Runs every rule against `hasher` (use cheap parameters; it hashes a few times).
    public static func run(_ hasher: any PasswordHasher) throws {
        let phc = try hasher.hash("correct horse")
        try check(try hasher.verify("correct horse", against: phc), "the right password must verify")
        try check(!(try hasher.verify("correct horsE", against: phc)), "a wrong password must not verify")
        try check(!(try hasher.verify("", against: phc)), "an empty password must not verify")
        try check(!phc.contains("correct horse"), "the hash must not contain the password")
        try check(!hasher.needsRehash(phc), "a fresh hash must not need a rehash")
        try check(hasher.needsRehash("garbage"), "an unreadable hash must need a rehash")
        do {
            _ = try hasher.verify("x", against: "garbage")
            throw ConformanceFailure("a malformed hash must throw PasswordHashError")
        } catch is PasswordHashError {}
    }

    static func check(_ condition: Bool, _ rule: String) throws {
        if !condition { throw ConformanceFailure(rule) }
    }
}
