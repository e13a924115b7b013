/// The TOTP (RFC 6238) settings: what authenticator apps support.
public struct TOTPPolicy: Sendable, Hashable {
    /// Digits per code.
    public var digits: Int
    /// Seconds per time step.
    public var step: Int64
    /// Steps of clock skew accepted either way.
    public var skew: Int64

    /// Bytes of a new secret (160 bits, the HMAC-SHA1 block the RFC suggests).
    public var secretLength: Int
    /// Seconds an enrolment waits for its first code.
    public var enrolmentLifetime: Double
    /// The `issuer` of enrolment URIs (the name an app shows above the code).
    public var issuer: String

    /// How many codes one app accepts at a time (the current step and
    /// `skew` either way): a wrong guess was compared with this many, so it
    /// counts this many wrong codes against the account's budget, which
    /// keeps the guessing bound of docs/threat-model.md what it is for SMS.
    public var codesAccepted: Int { Int(2 * skew + 1) }

    /// A policy.
    public init(digits: Int = 6, step: Int64 = 30, skew: Int64 = 1, secretLength: Int = 20,
                enrolmentLifetime: Double = 600, issuer: String = "riegel") {
        self.digits = digits
        self.step = step
        self.skew = skew
        self.secretLength = secretLength
        self.enrolmentLifetime = enrolmentLifetime
        self.issuer = issuer
    }

    /// The defaults: 6 digits, 30 s, SHA-1, one step of skew.
    public static let `default` = TOTPPolicy()
}
