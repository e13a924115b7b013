/// Checks a password hash brought in from another system before it is stored.
public protocol PasswordHashValidator: Sendable {
    /// Throws ``RiegelError/invalidPasswordHash(reason:)`` unless `hash` is in
    /// an accepted scheme, well formed, and within the cost limits. Cheap: it
    /// parses, it does not hash.
    func validateImported(_ hash: String) throws
}
