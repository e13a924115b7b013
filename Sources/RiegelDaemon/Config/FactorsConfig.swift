import RiegelCore

/// `[factors]`: authenticator apps (TOTP) and recovery codes (issue 16). The
/// defaults are ``TOTPPolicy``'s and ``RecoveryCode``'s (one source).
public struct FactorsConfig: Sendable, Equatable {
    /// The issuer an authenticator app shows above the code (`otpauth://` URI).
    public var totpIssuer = TOTPPolicy.default.issuer
    /// Recovery codes per set.
    public var recoveryCodes = RecoveryCode.defaultCount

    /// The defaults.
    public init() {}

    /// The TOTP policy with the configured issuer.
    public var totpPolicy: TOTPPolicy { TOTPPolicy(issuer: totpIssuer) }

    static func read(_ s: inout ConfigSection) -> FactorsConfig {
        var c = FactorsConfig()
        c.totpIssuer = s.nonEmptyString("totp_issuer", c.totpIssuer)
        if c.totpIssuer.unicodeScalars.count > 64 || c.totpIssuer.contains(":")
            || c.totpIssuer.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            s.report("totp_issuer", "use at most 64 characters, without ':' or control characters (apps show it)")
        }
        c.recoveryCodes = s.int("recovery_codes", c.recoveryCodes, in: 5...20)
        return c
    }
}
