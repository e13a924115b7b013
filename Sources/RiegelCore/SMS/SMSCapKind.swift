/// Which SMS send cap refused a send (for the audit entry and `sms stats`).
public enum SMSCapKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Sends to one phone number.
    case phone
    /// Sends for one account.
    case user
    /// Sends to one country code.
    case country
    /// All sends of the daemon.
    case global
    /// Sign-ups with a phone from one client address (``SMSSendBudget/enrolment`` only).
    case client
}
