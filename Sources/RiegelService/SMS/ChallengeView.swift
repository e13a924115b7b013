import RiegelCore

/// What a caller learns about a challenge (`io.riegel.Auth.Challenge`): no
/// code, and the phone only masked.
public struct ChallengeView: Sendable, Hashable {
    public var id: ChallengeID
    public var purpose: ChallengePurpose
    /// E.g. `+49 *** *** **12`: the country code and the last two digits;
    /// nil for a challenge of a factor that sends nothing.
    public var maskedPhone: String?
    public var expiresAt: Instant
    /// Before this, ResendChallenge answers ResendTooSoon (for a factor that
    /// sends nothing: the expiry, there is nothing to resend).
    public var resendAfter: Instant
    public var attemptsLeft: Int
    /// The factor that answers this challenge.
    public var factor: FactorKind
    /// The factors the user may answer with instead (`BeginChallenge`), this
    /// one included, for a login, step-up or reset challenge; filled in by
    /// the caller that knows the account's factors (empty: not listed, as
    /// for an enrolment or a resend).
    public var factors: [FactorKind]

    /// Describes `challenge`, sent to `phone`.
    public init(_ challenge: SMSChallenge, phone: PhoneNumber) {
        id = challenge.id
        purpose = challenge.purpose
        maskedPhone = phone.masked
        expiresAt = challenge.expiresAt
        resendAfter = challenge.resendAfter
        attemptsLeft = challenge.attemptsLeft
        factor = .sms
        factors = []
    }

    /// Describes a challenge of a factor that sends nothing.
    public init(_ challenge: FactorChallenge) {
        id = challenge.id
        purpose = challenge.purpose
        maskedPhone = nil
        expiresAt = challenge.expiresAt
        resendAfter = challenge.expiresAt
        attemptsLeft = challenge.attemptsLeft
        factor = challenge.kind
        factors = []
    }
}
