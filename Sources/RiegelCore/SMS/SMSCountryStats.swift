/// Sends and verification conversion for one country code over a period
/// (`riegelctl sms stats`): a falling conversion rate is the SMS-pumping signal.
public struct SMSCountryStats: Sendable, Hashable {
    /// The country calling code, e.g. "49".
    public var countryCode: String
    /// Messages handed to a gateway.
    public var sent: Int
    /// Messages queued but not (yet) sent, or given up.
    public var unsent: Int
    /// Distinct challenges that sent at least one message.
    public var challenges: Int
    /// Of those, the challenges whose code was verified.
    public var verified: Int

    /// Figures for one country.
    public init(countryCode: String, sent: Int, unsent: Int, challenges: Int, verified: Int) {
        self.countryCode = countryCode
        self.sent = sent
        self.unsent = unsent
        self.challenges = challenges
        self.verified = verified
    }

    /// Verified challenges per challenge (0 when there were none).
    public var conversion: Double { challenges == 0 ? 0 : Double(verified) / Double(challenges) }
}
