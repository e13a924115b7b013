import RiegelCore

/// What a caller learns about a challenge (`io.riegel.Auth.Challenge`): no
/// code, and the phone only masked.
public struct ChallengeView: Sendable, Hashable {
    public var id: ChallengeID
    public var purpose: ChallengePurpose
    /// E.g. `+49 *** *** **12`: the country code and the last two digits.
    public var maskedPhone: String
    public var expiresAt: Instant
    /// Before this, ResendChallenge answers ResendTooSoon.
    public var resendAfter: Instant
    public var attemptsLeft: Int

    /// Describes `challenge`, sent to `phone`.
    public init(_ challenge: SMSChallenge, phone: PhoneNumber) {
        id = challenge.id
        purpose = challenge.purpose
        maskedPhone = phone.masked
        expiresAt = challenge.expiresAt
        resendAfter = challenge.resendAfter
        attemptsLeft = challenge.attemptsLeft
    }
}
