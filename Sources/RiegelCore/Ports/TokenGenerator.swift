/// Makes new bearer tokens (session, device, reset).
///
/// - Important: production implementations draw 256 bits from a CSPRNG.
public protocol TokenGenerator: Sendable {
    /// A fresh token: 256 random bits, base64url without padding (43 characters).
    func newToken() -> String
}
