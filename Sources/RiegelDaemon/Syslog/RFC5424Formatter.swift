import RiegelCore

/// Turns an audit entry into one RFC 5424 syslog message:
///
/// `<PRI>1 TIMESTAMP HOSTNAME riegeld PROCID MSGID [riegel@32473 seq="…" …] MSG`
///
/// - PRI: facility authpriv (10) × 8 + severity: notice (5) for a failure,
///   info (6) for a success (the levels of the journald copy).
/// - MSGID: the event type (at most 32 printable ASCII characters, see
///   ``AuditEventType``); MSG: the type's ASCII ``AuditEventType/summary``
///   (or the type itself for a type this version does not know).
/// - STRUCTURED-DATA: one element, SD-ID ``sdID``, with the fields the
///   journald copy gets: `seq`, `outcome`, and when set `user_id`, `reason`,
///   `peer_uid`, `peer_pid`, `client_ip`, then `detail.KEY` per detail (by
///   key). Never the username or user agent.
///
/// Values are escaped per RFC 5424 §6.3.3 (`"`, `\` and `]` get a backslash);
/// control characters (C0 and DEL) become `#` and three octal digits
/// (`#012` for a newline), as §8.2 allows, so a message stays one line.
/// Parameter names keep the printable ASCII characters SD-NAME allows (others
/// become `_`) and are cut at 32 characters.
public struct RFC5424Formatter: Sendable {
    /// The SD-ID: `riegel@32473`. 32473 is the example Private Enterprise
    /// Number IANA reserves for documentation (RFC 5612), not one of ours.
    public static let sdID = "riegel@32473"
    /// APP-NAME.
    public static let appName = "riegeld"
    /// The facility, authpriv.
    public static let facility = 10

    /// HOSTNAME: the printable ASCII characters of the name given (`-` if none).
    public let hostname: String
    /// PROCID (riegeld's pid), printable ASCII like HOSTNAME.
    public let procID: String

    /// A formatter naming `hostname` and `procID` in each message.
    public init(hostname: String, procID: String) {
        self.hostname = Self.headerField(hostname, max: 255)
        self.procID = Self.headerField(procID, max: 128)
    }

    /// The PRI value of an entry: authpriv × 8 + (5 for a failure, 6 for a success).
    public static func priority(_ outcome: AuditOutcome) -> Int {
        facility * 8 + (outcome == .failure ? 5 : 6)
    }

    /// The whole message (no trailing newline, no BOM: MSG is ASCII).
    public func message(for entry: AuditEntry) -> String {
        let event = entry.event
        var params: [(String, String)] = [("seq", "\(entry.seq)"), ("outcome", event.outcome.rawValue)]
        if let v = event.userID { params.append(("user_id", v.rawValue)) }
        if let v = event.reason { params.append(("reason", v)) }
        if let v = event.peerUID { params.append(("peer_uid", "\(v)")) }
        if let v = event.peerPID { params.append(("peer_pid", "\(v)")) }
        if let v = event.clientIP { params.append(("client_ip", v)) }
        for key in event.details.keys.sorted() { params.append(("detail." + key, event.details[key]!)) }
        var sd = "[" + Self.sdID
        for (name, value) in params {
            sd += " " + Self.paramName(name) + "=\"" + Self.escape(value) + "\""
        }
        sd += "]"
        let known = AuditEventType(rawValue: event.type)
        let msgID = Self.headerField(event.type, max: 32)
        let text = known?.summary ?? Self.headerField(event.type, max: 255)
        return "<\(Self.priority(event.outcome))>1 \(Self.timestamp(entry.time)) \(hostname) \(Self.appName) "
            + "\(procID) \(msgID) \(sd) \(text)"
    }

    /// `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC, microseconds).
    public static func timestamp(_ time: Instant) -> String {
        let whole = time.secondsSinceEpoch.rounded(.down)
        let micros = min(999_999, Int(((time.secondsSinceEpoch - whole) * 1_000_000).rounded(.down)))
        let base = RFC3339.format(Instant(secondsSinceEpoch: whole))
        let digits = String(micros)
        return String(base.dropLast()) + "." + String(repeating: "0", count: 6 - digits.count) + digits + "Z"
    }

    /// A PARAM-VALUE: `"`, `\` and `]` escaped with a backslash; control
    /// characters as `#` plus three octal digits.
    public static func escape(_ value: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(value.unicodeScalars.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"", "\\", "]":
                out.unicodeScalars.append("\\")
                out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let octal = String(scalar.value, radix: 8)
                out += "#" + String(repeating: "0", count: 3 - octal.count) + octal
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// An SD-NAME: printable ASCII except `=`, space, `]` and `"` (others
    /// become `_`), 1 to 32 characters.
    public static func paramName(_ name: String) -> String {
        let cleaned = String(String.UnicodeScalarView(name.unicodeScalars.prefix(32).map { s in
            (33...126).contains(s.value) && s != "=" && s != "]" && s != "\"" ? s : "_"
        }))
        return cleaned.isEmpty ? "_" : cleaned
    }

    /// A header field: printable ASCII (33...126), at most `max` characters; `-` if nothing is left.
    static func headerField(_ text: String, max: Int) -> String {
        let kept = String(String.UnicodeScalarView(text.unicodeScalars.filter { (33...126).contains($0.value) }
            .prefix(max)))
        return kept.isEmpty ? "-" : kept
    }
}
