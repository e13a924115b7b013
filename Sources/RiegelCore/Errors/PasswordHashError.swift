/// Why a password could not be hashed or checked.
///
/// - Important: messages never contain the password or the hash.
public enum PasswordHashError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The stored string is not a hash this version reads (argon2id PHC, or an accepted legacy scheme).
    case malformedHash(String)
    /// The parameters are outside the accepted range.
    case parametersOutOfRange(String)
    /// The hashing library failed.
    case hashingFailed(String)
    /// A stored hash asks for a cost outside the caps (in practice more work
    /// or memory than they allow; a legacy cost below its scheme's minimum
    /// lands here too); it was not run (issue 11, item 7).
    case costAboveLimit(String)

    /// A message that says what went wrong and how to fix it.
    public var description: String {
        switch self {
        case .malformedHash(let why):
            return "stored password hash is not a valid hash string riegel reads (\(why)); reset the password of this account"
        case .parametersOutOfRange(let why):
            return "argon2id parameters out of range (\(why)); use m in 8...4194304 KiB (m >= 8*p), t in 1...64, p in 1...64"
        case .hashingFailed(let why):
            return "argon2id failed: \(why)"
        case .costAboveLimit(let why):
            return "stored password hash has a cost outside the caps (\(why)); it was not checked: reset the password of this account"
        }
    }
}
