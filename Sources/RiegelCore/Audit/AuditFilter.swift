/// Which audit entries a query wants (`io.riegel.Audit.Filter`). Every set
/// field must match; an empty filter matches everything.
public struct AuditFilter: Sendable, Hashable {
    /// A user id (exact) or a username (ASCII letters compared without case,
    /// like SQLite's `NOCASE`; other characters exactly).
    public var user: String?
    /// Event types (exact); nil or empty means any type.
    public var types: [String]?
    /// Only successes or only failures.
    public var outcome: AuditOutcome?
    /// Entries at or after this time.
    public var since: Instant?
    /// Entries at or before this time.
    public var until: Instant?
    /// The end user's IP address (exact).
    public var clientIP: String?

    /// A filter.
    public init(user: String? = nil, types: [String]? = nil, outcome: AuditOutcome? = nil,
                since: Instant? = nil, until: Instant? = nil, clientIP: String? = nil) {
        self.user = user
        self.types = types
        self.outcome = outcome
        self.since = since
        self.until = until
        self.clientIP = clientIP
    }

    /// Whether `entry` matches: the rule every ``AuditReader`` implements.
    public func matches(_ entry: AuditEntry) -> Bool {
        let event = entry.event
        if let user {
            let byID = event.userID?.rawValue == user
            let byName = event.username.map { Self.asciiFolded($0) == Self.asciiFolded(user) } ?? false
            guard byID || byName else { return false }
        }
        if let types, !types.isEmpty, !types.contains(event.type) { return false }
        if let outcome, event.outcome != outcome { return false }
        if let since, entry.time < since { return false }
        if let until, until < entry.time { return false }
        if let clientIP, event.clientIP != clientIP { return false }
        return true
    }

    /// `text` with ASCII capitals lowered (what SQLite's `NOCASE` compares).
    static func asciiFolded(_ text: String) -> [UInt8] {
        text.utf8.map { (65...90).contains($0) ? $0 + 32 : $0 }
    }
}
