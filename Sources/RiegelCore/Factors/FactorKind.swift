/// A kind of second factor behind the factor seam (`io.riegel.Auth.FactorKind`).
///
/// - Important: raw values are stored and appear in the IDL; never rename a case.
public enum FactorKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// A code sent by SMS to the phone on file.
    case sms
    /// A code from an authenticator app (RFC 6238).
    case totp
    /// One of a set of single-use recovery codes.
    case recoveryCode = "recovery_code"

    /// Whether the kind alone turns the second factor on. Recovery codes are
    /// a backup of another factor: they need one, and go when the last one goes.
    public var isPrimary: Bool { self != .recoveryCode }

    /// The order in which a login picks its default factor: an app code first
    /// (nothing to send), then SMS, recovery codes only when nothing else is left.
    public static let preference: [FactorKind] = [.totp, .sms, .recoveryCode]

    /// The session method a verified code of this kind records.
    public var authenticationMethod: AuthenticationMethod {
        switch self {
        case .sms: .sms
        case .totp: .totp
        case .recoveryCode: .recoveryCode
        }
    }
}
