/// Every kind of event riegeld records in the audit trail: the one list the
/// code, `docs/audit-events.md` and `systemd/riegel.catalog` must agree on
/// (a test checks all three).
///
/// `AuditRecorder` (RiegelService) takes only these, so a new kind of event is a new case
/// here (and a section in the doc and an entry in the catalog).
///
/// - Important: the raw values are stored, hashed into the chain, sent over
///   varlink and derive the journald MESSAGE_ID: never rename or remove a
///   case (that would bump the schema version in `docs/audit-events.md`).
///   Raw values are at most 32 printable ASCII characters (RFC 5424 MSGID).
public enum AuditEventType: String, Sendable, Hashable, CaseIterable {
    /// Access to a resource was granted.
    case accessGranted = "access.granted"
    /// Access to a resource was denied.
    case accessDenied = "access.denied"
    /// An account was created.
    case accountCreated = "account.created"
    /// An account was deleted.
    case accountDeleted = "account.deleted"
    /// An account was locked.
    case accountLocked = "account.locked"
    /// An account was unlocked by an admin.
    case accountUnlocked = "account.unlocked"
    /// An activation code was issued.
    case activationCodeIssued = "activation_code.issued"
    /// An activation code was redeemed.
    case activationCodeRedeemed = "activation_code.redeemed"
    /// A wrong activation code was entered.
    case activationCodeFailed = "activation_code.failed"
    /// The audit trail was exported (`Audit.Export`).
    case auditExported = "audit.exported"
    /// Retention pruned old audit entries behind a new signed anchor.
    case auditPruned = "audit.pruned"
    /// An SMS code was verified.
    case challengeVerified = "challenge.verified"
    /// An SMS code was not accepted.
    case challengeFailed = "challenge.failed"
    /// An SMS code check was refused.
    case challengeRefused = "challenge.refused"
    /// Pending SMS challenges were ended.
    case challengeEnded = "challenge.ended"
    /// A credential change needs a step-up first.
    case credentialChangeRefused = "credential_change.refused"
    /// An admin took an online backup of the database (`Admin.Backup`).
    case databaseBackedUp = "database.backed_up"
    /// A browser became a trusted device.
    case deviceTrusted = "device.trusted"
    /// A trusted device was used.
    case deviceUsed = "device.used"
    /// A device token was not accepted.
    case deviceRejected = "device.rejected"
    /// An old device token was replayed.
    case deviceTokenReplayed = "device.token_replayed"
    /// A device was revoked as probably stolen.
    case deviceTheftSuspected = "device.theft_suspected"
    /// A trusted device was revoked.
    case deviceRevoked = "device.revoked"
    /// An app key was enrolled.
    case deviceKeyEnrolled = "device.key_enrolled"
    /// An app key login failed.
    case deviceLoginFailed = "device_login.failed"
    /// The master key was rotated.
    case keyMasterRotated = "key.master_rotated"
    /// A data key was retired.
    case keyRetired = "key.retired"
    /// A key re-wrap stopped at a bad row.
    case keyRewrapFailed = "key.rewrap_failed"
    /// A key re-wrap finished.
    case keyRewrapFinished = "key.rewrap_finished"
    /// A data key was rotated.
    case keyRotated = "key.rotated"
    /// A login succeeded.
    case loginSucceeded = "login.succeeded"
    /// A login failed.
    case loginFailed = "login.failed"
    /// A login needs an SMS code.
    case loginChallenged = "login.challenged"
    /// A password was changed.
    case passwordChanged = "password.changed"
    /// A password hash was upgraded.
    case passwordRehashed = "password.rehashed"
    /// A stored password hash was refused.
    case passwordHashRefused = "password.hash_refused"
    /// A password reset was requested.
    case passwordResetRequested = "password.reset_requested"
    /// A password reset needs an SMS code.
    case passwordResetChallenged = "password.reset_challenged"
    /// A password was reset.
    case passwordReset = "password.reset"
    /// A local caller was refused a method.
    case permissionDenied = "permission.denied"
    /// A password re-check failed.
    case reauthenticationFailed = "reauthentication.failed"
    /// A sign-up was refused.
    case registerRefused = "register.refused"
    /// SMS second factor was enabled.
    case secondFactorEnabled = "second_factor.enabled"
    /// The second-factor phone number changed.
    case secondFactorPhoneChanged = "second_factor.phone_changed"
    /// SMS second factor was disabled.
    case secondFactorDisabled = "second_factor.disabled"
    /// An admin reset the second factor.
    case secondFactorReset = "second_factor.reset"
    /// Second factor locked after wrong codes.
    case secondFactorLocked = "second_factor.locked"
    /// A second-factor enrolment was dropped.
    case secondFactorEnrolmentDropped = "second_factor.enrolment_dropped"
    /// A session was stepped up.
    case sessionElevated = "session.elevated"
    /// A session lost its step-up.
    case sessionDemoted = "session.demoted"
    /// Sessions were ended.
    case sessionRevoked = "session.revoked"
    /// An SMS code was sent.
    case smsSent = "sms.sent"
    /// An SMS was refused by a send cap.
    case smsCapped = "sms.capped"
    /// An SMS was refused for its number.
    case smsRefused = "sms.refused"
    /// No SMS gateway could send a code.
    case smsUnavailable = "sms.unavailable"
    /// A phone-change notice was queued.
    case smsNoticeQueued = "sms.notice_queued"
    /// A phone-change notice could not be queued.
    case smsNoticeFailed = "sms.notice_failed"
    /// Failures engaged the login throttle.
    case throttleEngaged = "throttle.engaged"

    /// A challenge was moved to another factor.
    case challengeSwitched = "challenge.switched"
    /// An authenticator app enrolment began.
    case factorEnrolmentStarted = "factor.enrolment_started"
    /// A second factor was added.
    case factorEnrolled = "factor.enrolled"
    /// A second factor was removed.
    case factorRemoved = "factor.removed"
    /// A new set of recovery codes was made.
    case recoveryCodesGenerated = "factor.recovery_codes_made"
    /// A recovery code was used.
    case recoveryCodeUsed = "factor.recovery_code_used"

    /// One short line of ASCII saying what happened (the syslog MSG and the
    /// catalog's `Subject:`).
    public var summary: String {
        switch self {
        case .accessGranted: "Access to a resource was granted"
        case .accessDenied: "Access to a resource was denied"
        case .accountCreated: "An account was created"
        case .accountDeleted: "An account was deleted"
        case .accountLocked: "An account was locked"
        case .accountUnlocked: "An account was unlocked by an admin"
        case .activationCodeIssued: "An activation code was issued"
        case .activationCodeRedeemed: "An activation code was redeemed"
        case .activationCodeFailed: "A wrong activation code was entered"
        case .auditExported: "The audit trail was exported"
        case .auditPruned: "Old audit entries were pruned"
        case .challengeVerified: "An SMS code was verified"
        case .challengeFailed: "An SMS code was not accepted"
        case .challengeRefused: "An SMS code check was refused"
        case .challengeEnded: "Pending SMS challenges were ended"
        case .credentialChangeRefused: "A credential change needs a step-up first"
        case .databaseBackedUp: "The database was backed up"
        case .deviceTrusted: "A browser became a trusted device"
        case .deviceUsed: "A trusted device was used"
        case .deviceRejected: "A device token was not accepted"
        case .deviceTokenReplayed: "An old device token was replayed"
        case .deviceTheftSuspected: "A device was revoked as probably stolen"
        case .deviceRevoked: "A trusted device was revoked"
        case .deviceKeyEnrolled: "An app key was enrolled"
        case .deviceLoginFailed: "An app key login failed"
        case .keyMasterRotated: "The master key was rotated"
        case .keyRetired: "A data key was retired"
        case .keyRewrapFailed: "A key re-wrap stopped at a bad row"
        case .keyRewrapFinished: "A key re-wrap finished"
        case .keyRotated: "A data key was rotated"
        case .loginSucceeded: "A login succeeded"
        case .loginFailed: "A login failed"
        case .loginChallenged: "A login needs an SMS code"
        case .passwordChanged: "A password was changed"
        case .passwordRehashed: "A password hash was upgraded"
        case .passwordHashRefused: "A stored password hash was refused"
        case .passwordResetRequested: "A password reset was requested"
        case .passwordResetChallenged: "A password reset needs an SMS code"
        case .passwordReset: "A password was reset"
        case .permissionDenied: "A local caller was refused a method"
        case .reauthenticationFailed: "A password re-check failed"
        case .registerRefused: "A sign-up was refused"
        case .secondFactorEnabled: "SMS second factor was enabled"
        case .secondFactorPhoneChanged: "The second-factor phone number changed"
        case .secondFactorDisabled: "SMS second factor was disabled"
        case .secondFactorReset: "An admin reset the second factor"
        case .secondFactorLocked: "Second factor locked after wrong codes"
        case .secondFactorEnrolmentDropped: "A second-factor enrolment was dropped"
        case .sessionElevated: "A session was stepped up"
        case .sessionDemoted: "A session lost its step-up"
        case .sessionRevoked: "Sessions were ended"
        case .smsSent: "An SMS code was sent"
        case .smsCapped: "An SMS was refused by a send cap"
        case .smsRefused: "An SMS was refused for its number"
        case .smsUnavailable: "No SMS gateway could send a code"
        case .smsNoticeQueued: "A phone-change notice was queued"
        case .smsNoticeFailed: "A phone-change notice could not be queued"
        case .throttleEngaged: "Failures engaged the login throttle"
        case .challengeSwitched: "A challenge was moved to another factor"
        case .factorEnrolmentStarted: "An authenticator app enrolment began"
        case .factorEnrolled: "A second factor was added"
        case .factorRemoved: "A second factor was removed"
        case .recoveryCodesGenerated: "A new set of recovery codes was made"
        case .recoveryCodeUsed: "A recovery code was used"
        }
    }
}
