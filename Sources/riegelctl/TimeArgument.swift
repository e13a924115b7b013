import RiegelCore

/// A time argument (`audit query --since`, `users list --created-since`, ...): a time relative to now (`30m`, `1h`, `7d`:
/// that long ago; units s, m, h, d, w) or an RFC 3339 time
/// (`2026-11-25T08:00:00Z`, `2026-11-25T09:00:00+01:00`).
enum TimeArgument {
    /// The RFC 3339 text to send for `text`, given the current time; nil if
    /// it is neither form. A relative time becomes an absolute one (UTC,
    /// whole seconds); an RFC 3339 time is sent as written.
    static func resolve(_ text: String, now: Instant) -> String? {
        if let seconds = relativeSeconds(text) {
            return RFC3339.format(now.adding(seconds: -seconds))
        }
        return RFC3339.parse(text) == nil ? nil : text
    }

    /// Seconds in `30m`, `1h`, `7d`, ...; nil if `text` is not a whole number and a unit.
    static func relativeSeconds(_ text: String) -> Double? {
        guard let unit = text.last, let n = Int(text.dropLast()), n >= 0, text.first?.isNumber == true else {
            return nil
        }
        let scale: Double
        switch unit {
        case "s": scale = 1
        case "m": scale = 60
        case "h": scale = 3600
        case "d": scale = 86_400
        case "w": scale = 604_800
        default: return nil
        }
        let seconds = Double(n) * scale
        return seconds <= 100 * 365 * 86_400 ? seconds : nil
    }

    /// What a valid value looks like, for error messages.
    static let hint = "use a relative time such as 30m, 1h, 7d (that long ago) or an RFC 3339 time such as 2026-11-25T08:00:00Z"
}
