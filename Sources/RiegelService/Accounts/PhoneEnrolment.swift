/// What a completed `enroll_phone` challenge did (`VerifyChallenge`'s
/// `phone_enrolment`), so the caller is never left guessing whether the
/// change took effect.
public struct PhoneEnrolment: Sendable, Hashable {
    /// The number now on file, masked (`+49 *** *** **12`).
    public var maskedPhone: String
    /// Whether it replaced another number: then the old number was sent a
    /// notice and every trusted device and app key was revoked.
    public var replaced: Bool
    /// Whether the session the challenge came from is still open (the reply
    /// then carries its renewed token). False for an enrolment from
    /// `Register` (no session) and when the session came from a device the
    /// change revoked (it ended with that device).
    public var sessionKept: Bool

    /// A description.
    public init(maskedPhone: String, replaced: Bool, sessionKept: Bool) {
        self.maskedPhone = maskedPhone
        self.replaced = replaced
        self.sessionKept = sessionKept
    }
}
