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

extension SMSChallengeService {
    /// Queues the notice that a recovery code was used (``RecoveryCodeNotice``)
    /// to the account's phone, under the verified challenge `challenge`;
    /// audited `sms.notice_queued` (reason `recovery_code_used`). Not counted
    /// against the caps: each needs a spent recovery code.
    public func notifyRecoveryCodeUsed(_ phone: PhoneNumber, user: UserID, username: String, challenge: ChallengeID,
                                       purpose: ChallengePurpose, language: String?) throws {
        let now = clock.now()
        let text = RecoveryCodeNotice.text(language: language ?? policy.templates.defaultLanguage,
                                           product: policy.templates.product)
        let message = QueuedSMS(challengeID: challenge, purpose: purpose, countryCode: phone.countryCode,
                                payload: try dispatcher.seal(SMSMessage(to: phone.e164, text: text),
                                                             challengeID: challenge),
                                createdAt: now, expiresAt: now.adding(seconds: Self.noticeLifetime))
        _ = try store.enqueueNotice(message, verifiedAt: now)
        audit.record(.smsNoticeQueued, .success, user: user, username: username, reason: "recovery_code_used",
                     details: ["challenge_id": challenge.rawValue, "phone": AuditPhoneMask.mask(phone.e164)])
    }
}
