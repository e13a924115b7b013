import RiegelCore

extension SMSChallengeService {
    /// How long the dispatcher keeps trying to deliver a notice.
    static let noticeLifetime: Double = 86_400

    /// Queues the notice to the *old* number that the second factor moved
    /// away from it (``PhoneChangeNotice``), under the verified `enroll_phone`
    /// challenge `challenge`; the dispatcher's background pass sends it
    /// (within a second, retrying for a day). Audited `sms.notice_queued`
    /// with the number masked.
    ///
    /// Not counted against the send caps: one notice follows each confirmed
    /// change, which itself needed a code, so it cannot be pumped.
    public func notifyPhoneChanged(_ oldPhone: PhoneNumber, user: UserID, username: String, challenge: ChallengeID,
                                   language: String?) throws {
        let now = clock.now()
        let language = language ?? policy.templates.defaultLanguage
        let text = PhoneChangeNotice.text(language: language, product: policy.templates.product)
        let message = QueuedSMS(challengeID: challenge, purpose: .enrollPhone, countryCode: oldPhone.countryCode,
                                payload: try dispatcher.seal(SMSMessage(to: oldPhone.e164, text: text),
                                                             challengeID: challenge),
                                createdAt: now, expiresAt: now.adding(seconds: Self.noticeLifetime))
        _ = try store.enqueueNotice(message, verifiedAt: now)
        audit.record(.smsNoticeQueued, .success, user: user, username: username, reason: "phone_changed",
                     details: ["challenge_id": challenge.rawValue, "phone": AuditPhoneMask.mask(oldPhone.e164)])
    }
}
